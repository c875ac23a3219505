# Redis stand-in for machines that cannot pull redis:7 (no image registry): Debian's redis-server on
# the locally imported base image. Used by docker/verify-replicas.sh (AGNT5_REDIS_IMAGE); elsewhere
# docker-compose.replicas.yml runs the official image.
FROM node:20-bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
VOLUME /data
EXPOSE 6379
# The same command line as the official image (compose passes its own: redis-server and arguments).
CMD ["redis-server", "--protected-mode", "no"]
