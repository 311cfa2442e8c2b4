#!/bin/sh
# docker-compose's primary: replication connections from the replica, with the same password as the rest.
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
