# syntax=docker/dockerfile:1
#
# MCP Registry Federation Gateway
#
#   docker build -t mcp-registry-gateway .
#   docker run --rm -p 8080:8080 -e REDIS_URL=redis://host.docker.internal:6379 mcp-registry-gateway
#
# The image runs config/default.yaml unless GATEWAY_CONFIG or --config says otherwise. Mount your
# own file (for example at /app/config/gateway.yaml) and set GATEWAY_CONFIG to its path.
# Roles: `serve --role all` (default), `serve --role api`, `serve --role worker`.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript to dist/ -----------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script would build before the sources are copied. This layer
# is cached until the lockfile changes.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build's asset step (copies the .lua files beside the compiled modules).
COPY scripts/copy-assets.mjs ./scripts/
RUN npm run build

# ---- runtime: production dependencies + compiled output only ---------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    GATEWAY_CONFIG=/app/config/default.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
# The operator console's static assets (served at /ui/).
COPY ui ./ui
# The official server.json schemas validate publishes at run time.
COPY reference/official/schemas ./reference/official/schemas

USER node
EXPOSE 8080

# The slim image has no curl: probe /livez with Node itself (port 8080, or $PORT if set).
# A `serve --role worker` container does not listen: disable the healthcheck there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||8080)+'/livez',{timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',function(){this.destroy();process.exit(1)})"]

ENTRYPOINT ["node", "bin/mcp-registry-gateway.js"]
CMD ["serve", "--role", "all"]
