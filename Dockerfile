# One image for Tactful's worker and API (docker-compose.yml runs it with different commands).
# The server code runs through tsx, as it does under `npm start`, so there is no separate compile step.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The web app is optional while it is being written; the API serves it when web/dist exists.
RUN if [ -f web/vite.config.ts ]; then npx vite build --config web/vite.config.ts; fi

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# The file outbox (no SMTP configured) is written here; a volume keeps it across restarts.
RUN mkdir -p /app/.data/outbox && chown -R node:node /app/.data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
