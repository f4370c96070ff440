/** A registry name, unanchored (DESIGN §2): lowercase letters, digits and dashes, 1-63 characters. */
export const REGISTRY_NAME_BODY = '[a-z0-9][a-z0-9-]{0,62}';

/** The whole-string registry name rule; every check and document derives from it. */
export const REGISTRY_NAME_PATTERN = new RegExp(`^${REGISTRY_NAME_BODY}$`);
