// libzmq (Debian's libzmq3-dev, 4.3.x, no draft API) for the events bus.
#include <zmq.h>
