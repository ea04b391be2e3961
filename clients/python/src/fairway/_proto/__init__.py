"""Generated protobuf modules of wire protocol 2 (proto/fairway/v1), by
clients/python/scripts/generate-python-protos.sh with protoc 3.21.12. Do not edit."""
