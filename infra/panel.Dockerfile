# The panel: built with Node, served by nginx, which also proxies the API (/v2) and its docs
# (/docs) to the api container, so the session cookie stays first-party.
# Build from the repository root:  docker build -f infra/panel.Dockerfile -t vigil-panel .
# Run:  docker run -p 8080:8080 -e API_UPSTREAM=http://api:3000 vigil-panel
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY contract/package.json contract/
COPY backend/package.json backend/
COPY workers/package.json workers/
COPY frontend/package.json frontend/
# Only the panel's and the contract's dependencies (the panel compiles the contract's source),
# plus the root's dev tools (TypeScript); no install scripts, so no native addons and no browsers.
RUN npm ci --no-audit --no-fund --ignore-scripts --workspace frontend --workspace contract --include-workspace-root
COPY contract contract
COPY frontend frontend
RUN npm run build --workspace frontend

FROM nginx:1.27-alpine
# The api as nginx reaches it; the official image substitutes it into the template at start.
ENV API_UPSTREAM=http://api:3000
COPY infra/nginx/panel.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/frontend/dist /usr/share/nginx/html
EXPOSE 8080
