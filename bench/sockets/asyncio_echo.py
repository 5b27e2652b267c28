#!/usr/bin/python3
"""A line echo server with asyncio, the baseline of bench/sockets/run.

  asyncio_echo.py PORT
"""
import asyncio
import sys


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 20)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
