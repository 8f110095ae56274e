// bench_lua_mock: run a Lua file with the project's Lua (lua5.4-c++), with `arg` set as the stand-alone
// interpreter sets it. It runs mock_luatos.lua, which plays the LuatOS API (sys, mqtt, log, json, ...)
// in virtual time to check the bench scripts' logic before the runtime's mqtt module exists.
//
//   bench_lua_mock bench/lua_mock/mock_luatos.lua bench/lua
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <cstdio>
#include <memory>

namespace {

struct StateCloser {
    void operator()(lua_State* L) const { lua_close(L); }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_lua_mock SCRIPT.lua [ARGS...]\n");
        return 2;
    }
    const std::unique_ptr<lua_State, StateCloser> state(luaL_newstate());
    lua_State* L = state.get();
    luaL_openlibs(L);
    lua_createtable(L, argc, 0);
    for (int i = 1; i < argc; ++i) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    if (luaL_dofile(L, argv[1]) != LUA_OK) {
        std::fprintf(stderr, "bench_lua_mock: %s\n", lua_tostring(L, -1));
        return 1;
    }
    return 0;
}
