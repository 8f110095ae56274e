// pack: LuatOS's lpack (luat_lib_pack.c, docs/modules/pack.md).
//
//   pack.pack(format, ...) -> string
//   pack.unpack(s, format [, init=1]) -> next position, values...
// The format language is pack_format.hpp's (shared with zbuff:pack / zbuff:unpack).
#include <cmath>
#include <cstdint>
#include <string>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/pack/pack_format.hpp"

namespace lua_bindings {

namespace {

class StringSink : public PackSink {
  public:
    [[nodiscard]] bool full() const override { return false; }
    void add(std::span<const std::uint8_t> bytes) override {
        out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    std::string out;
};

// pack.pack(format, ...)
int l_pack(lua_State* L) {
    const char* format = luaL_checkstring(L, 1);
    // Collected outside Lua: Lua 5.4's luaL_Buffer takes a stack slot, which the values after the
    // format would then see as an extra argument.
    StringSink sink;
    pack_values(L, PackDialect::kPackModule, format, 2, sink);
    lua_pushlstring(L, sink.out.data(), sink.out.size());
    return 1;
}

// The start offset from init: LuatOS computes it in a C int from a Lua number (1.5 is accepted).
std::int64_t start_offset(lua_Number init) {
    const double offset = std::trunc(static_cast<double>(init) - 1);
    if (std::isnan(offset)) return 0;
    if (offset < INT32_MIN) return INT32_MIN;
    if (offset > INT32_MAX) return INT32_MAX;
    return static_cast<std::int64_t>(offset);
}

// pack.unpack(s, format [, init])
int l_unpack(lua_State* L) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const char* format = luaL_checkstring(L, 2);
    const std::int64_t start = start_offset(luaL_optnumber(L, 3, 1));
    lua_pushnil(L);  // the position's slot, before the values
    const Unpacked r = unpack_values(L, PackDialect::kPackModule, format,
                                     {reinterpret_cast<const std::uint8_t*>(s), len}, start);
    lua_pushinteger(L, static_cast<lua_Integer>(r.end + 1));
    lua_replace(L, -r.count - 2);
    return r.count + 1;
}

}  // namespace

void install_pack(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "pack");
    static const luaL_Reg kFunctions[] = {
        {"pack", l_pack},
        {"unpack", l_unpack},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
