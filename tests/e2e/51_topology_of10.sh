#!/usr/bin/env bash
# The topology test (50_topology.sh) with the bridges speaking only OpenFlow 1.0,
# where l2_multi cannot pick out its flows by cookie.
ZOF_E2E_VERSION=OpenFlow10 exec bash "$(dirname "${BASH_SOURCE[0]}")/50_topology.sh"
