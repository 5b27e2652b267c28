#include "cshim_lua.h"
#include <stdint.h>

// A switch sends the same few MAC addresses over and over, and making their
// text (format, hash, intern) cost more than the rest of an Ethernet header.
// A direct-mapped cache in the registry keeps the last string per slot: the
// array holds the address as an integer at 2s+1 and its text at 2s+2. Its
// reference lives in the state's zs_mem: an integer key reads the registry's
// array part, where a pointer key took a hash lookup per address.
#define MAC_SLOTS 1024

static zs_mem *mem_of(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  return mem;
}

void zs_mac_cache_open(lua_State *L) {
  lua_createtable(L, 2 * MAC_SLOTS, 0);
  mem_of(L)->mac_cache = luaL_ref(L, LUA_REGISTRYINDEX);
}

static void push_text(lua_State *L, const unsigned char *b) {
  static const char hex[] = "0123456789abcdef";
  char out[17];
  for (int i = 0; i < 6; i++) {
    if (i) out[3 * i - 1] = ':';
    out[3 * i] = hex[b[i] >> 4];
    out[3 * i + 1] = hex[b[i] & 15];
  }
  lua_pushlstring(L, out, sizeof out);
}

void zs_push_mac6(lua_State *L, const unsigned char *b) {
  uint64_t mac = 0;
  for (int i = 0; i < 6; i++) mac = mac << 8 | b[i];
  int ref = mem_of(L)->mac_cache;
  if (ref <= 0) return push_text(L, b);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, ref) != LUA_TTABLE) {
    lua_pop(L, 1);
    return push_text(L, b);
  }
  lua_Integer slot = (lua_Integer)((mac * 0x9e3779b97f4a7c15ull) >> 54);
  // The key is stored one above the address so an empty slot (nil) never matches.
  if (lua_rawgeti(L, -1, 2 * slot + 1) == LUA_TNUMBER && (uint64_t)lua_tointeger(L, -1) == mac + 1) {
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 2 * slot + 2);
  } else {
    lua_pop(L, 1);
    lua_pushinteger(L, (lua_Integer)(mac + 1));
    lua_rawseti(L, -2, 2 * slot + 1);
    push_text(L, b);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 2 * slot + 2);
  }
  lua_remove(L, -2);
}
