# syntax=docker/dockerfile:1
# Build: cgo is on for mattn/go-sqlite3.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/radar ./cmd/radar

# Run: a small Debian with glibc (the binary links it), as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/radar --create-home radar
COPY --from=build /out/radar /usr/local/bin/radar
USER radar
WORKDIR /var/lib/radar
# The SQLite database (store.path) lives on this volume.
VOLUME ["/var/lib/radar"]
EXPOSE 9317
ENTRYPOINT ["/usr/local/bin/radar"]
CMD ["serve", "--config", "/etc/radar/radar.yaml"]
