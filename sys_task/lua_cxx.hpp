// Lua headers for the C++ build of Lua 5.4 (the luatos_lua target, sys_task/lua/CMakeLists.txt).
//
// That library is compiled as C++: Lua errors are C++ exceptions,
// so RAII objects on the stack of a C function are destroyed when a Lua error unwinds through it.
// The headers must therefore be included *without* `extern "C"` (unlike <lua.hpp>), which is what
// this header does. Include it instead of <lua.h>/<lauxlib.h>/<lualib.h> everywhere.
#pragma once

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
