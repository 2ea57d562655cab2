# The API serving the built PWA. Build context: the repository root.
FROM node:20-bookworm-slim
RUN npm install -g pnpm@12.21.0
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/core/package.json packages/core/
COPY test/package.json test/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm --filter @mesa/web build
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data
EXPOSE 8080
VOLUME ["/data"]
CMD ["pnpm", "--filter", "@mesa/api", "start"]
