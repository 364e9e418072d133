FROM debian:bookworm-slim
# iproute2 and ping for the checks, busybox for the HTTP server on 8080 (kind/nettools.yaml).
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 iputils-ping procps busybox && rm -rf /var/lib/apt/lists/*
