// Argument checks worded as LuatOS's Lua 5.3 words them, where Lua 5.4's differ.
//
// The one difference that reaches a script: 5.3 names a metamethod with its "__" (`bad argument #3
// to '__newindex' (...)`), 5.4 without it (`'newindex'`). Everything else (the method rule, the
// messages, the type names) is the same in both, so outside a metamethod these are luaL_argerror,
// luaL_checkinteger and luaL_checklstring themselves.
#pragma once

#include <cstddef>

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

// luaL_argerror, with 5.3's name when the running C function was called as a metamethod.
int luatos_arg_error(lua_State* L, int arg, const char* extramsg);

// luaL_checkinteger / luaL_checklstring, raising through luatos_arg_error.
lua_Integer luatos_check_integer(lua_State* L, int arg);
const char* luatos_check_lstring(lua_State* L, int arg, std::size_t* len);

}  // namespace lua_bindings
