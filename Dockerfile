# syntax=docker/dockerfile:1
# rtmp-cluster: one image for origins and edges (--roles). Build and run a standalone node:
#   docker build -t rtmp-cluster .
#   docker run --rm -p 1935:1935 -p 8080:8080 -p 8088:8088 rtmp-cluster
# docker-compose.yml runs a three-node cluster; deploy/k8s has Kubernetes manifests.

# ---- build: the jar, with Maven and a JDK
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps Maven's repository between builds, so a rebuild downloads nothing.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -pl server -am package -DskipTests

# ---- run: a JRE and the jar, as a user without privileges
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 rtmp \
    && useradd --system --uid 10001 --gid rtmp --home-dir /opt/rtmp-cluster --no-create-home \
       --shell /usr/sbin/nologin rtmp \
    && mkdir -p /var/lib/rtmp-cluster/recordings && chown -R 10001:10001 /var/lib/rtmp-cluster
COPY --from=build /src/server/target/rtmp-cluster.jar /opt/rtmp-cluster/rtmp-cluster.jar
COPY deploy/docker/entrypoint.sh deploy/docker/healthcheck.sh /opt/rtmp-cluster/
COPY deploy/docker/node.yaml /etc/rtmp-cluster/node.yaml
WORKDIR /opt/rtmp-cluster
# record.path: mount a volume here to keep recordings.
VOLUME /var/lib/rtmp-cluster/recordings
USER 10001:10001
# RTMP, RTMPS, the operator API (/health, /metrics, the status page), HTTP playback, and the
# cluster: Hazelcast and the event bus.
EXPOSE 1935 1936 8080 8088 5701 5710
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/rtmp-cluster/healthcheck.sh"]
# SIGTERM drains the node (players get StreamEOF, publishers a status) before it stops.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/rtmp-cluster/entrypoint.sh"]
CMD ["--config", "/etc/rtmp-cluster/node.yaml"]
