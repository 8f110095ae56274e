// LuatOS's Lua 5.1/5.2 compatibility names on Lua 5.4 (base_compat.cpp).
#pragma once

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

// unpack, loadstring, table.maxn, ipairs with __ipairs, module, package.seeall, unload.
void install_lua_compat(lua_State* L);

}  // namespace lua_bindings
