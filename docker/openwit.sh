#!/bin/sh
# The openwit command in the OpenWit image (the image's entrypoint, and on the PATH for
# `docker compose exec <service> openwit ...`). openwit.home locates the Flink job jars
# (/opt/openwit/jobs) for `openwit submit`. --add-opens: Arrow, behind the search API's Arrow IPC
# answers, reads java.nio.Buffer's address field. JAVA_OPTS adds JVM options (heap size, ...).
exec java $JAVA_OPTS -Dopenwit.home=/opt/openwit --add-opens=java.base/java.nio=ALL-UNNAMED \
  -cp "/opt/openwit/openwit-cli.jar:/opt/openwit/lib/*" io.openwit.cli.OpenWit "$@"
