# PostgreSQL stand-in for machines that cannot pull postgres:16 (no image registry): Debian's
# PostgreSQL 15 on the locally imported base image, with the official image's environment
# contract (POSTGRES_PASSWORD, POSTGRES_DB, data in /var/lib/postgresql/data, pg_isready).
# Used only by docker-compose.offline.yml; production uses the official image or a managed database.
FROM node:20-bookworm-slim
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY --chmod=0755 postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
USER postgres
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
CMD ["/usr/local/bin/postgres-entrypoint.sh"]
