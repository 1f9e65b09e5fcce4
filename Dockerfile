# The service's image: built JavaScript (npm run build), the console's bundle, the flows and
# templates it reads at start-up. One image for every role (api, worker, migrate); see compose.yaml.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci
COPY . .
RUN npm run build && npm run console:build
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "dist/main.js", "--role", "all"]
