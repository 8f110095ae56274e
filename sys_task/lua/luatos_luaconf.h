/* The project's Lua configuration: LuatOS's choices, on top of Lua's own luaconf.h.
 *
 * lua.h includes this file (LUA_USER_H, set by sys_task/lua/CMakeLists.txt) right after luaconf.h,
 * so every Lua source and every user of lua.h sees the same definitions. Lua converts numbers and
 * pointers to text inside the VM (tostring, print, `..`, string.format("%s"), table.concat,
 * lua_pushfstring), so this is the one place where LuatOS's formatting can be applied to all of them
 * (docs/lua.md, "Numbers and pointers as text"):
 *   - floats as C's "%#.14g": 14 significant digits with their trailing zeros (1.5 ->
 *     "1.5000000000000"); with '#' a decimal point is always there, so Lua adds no ".0";
 *   - pointers as uppercase hexadecimal without "0x" ("table: 55D0A1B2C3D0").
 * Plain C: Lua's sources include it too (they are compiled as C++, but the header must not care). */
#ifndef LUATOS_LUACONF_H
#define LUATOS_LUACONF_H

#undef lua_number2str
#define lua_number2str(s, sz, n) l_sprintf((s), sz, "%#.14g", (LUAI_UACNUMBER)(n))

#undef lua_pointer2str
#define lua_pointer2str(buff, sz, p) l_sprintf(buff, sz, "%llX", (unsigned long long)(size_t)(p))

#endif
