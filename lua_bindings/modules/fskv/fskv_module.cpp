// fskv: LuatOS's key-value store that survives reboots and power cycles, kept in the device's data
// folder (FskvStore). Values are stored as LuatOS stores them: one type byte, then the value
// (docs/modules/fskv.md).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/fskv/fskv_store.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr std::size_t kMaxValueBytes = 4096;  // LUAT_FSKV_MAX_SIZE: the type byte included
constexpr char kIntegerTag = 21;              // LuatOS's LUA_TINTEGER (lua.h)

// Per run: fskv.init() was called (LuatOS keeps it in a static that a restart clears).
struct FskvRun {
    bool inited = false;
};

RunContext& ctx_of(lua_State* L) {
    return upvalue_object<RunContext>(L, 1);
}
FskvRun& run_of(lua_State* L) {
    return *static_cast<FskvRun*>(lua_touserdata(L, lua_upvalueindex(2)));
}
sys_task::Logger& logger(lua_State* L) {
    return ctx_of(L).device().logger();
}

FskvStore store(lua_State* L) {
    return FskvStore(ctx_of(L).device().data_dir() / ".system" / "fskv");
}

// LuatOS's guard in every function but next: an error line and no value.
bool not_inited(lua_State* L) {
    if (run_of(L).inited) return false;
    logger(L).error("fskv", "call fskv.init() first!!!");
    return true;
}

int l_init(lua_State* L) {
    FskvRun& run = run_of(L);
    if (!run.inited) {
        FskvStore s = store(L);
        if (!s.formatted()) {
            // A partition never mounted before: littlefs reports corruption (-84) and formats it.
            logger(L).info("sfd.lfs", "sfd_lfs mount ret -84, exec auto-format");
            if (!s.format()) {
                logger(L).error("sfd.lfs", "sfd_lfs auto-format ret -5");
                lua_pushboolean(L, 0);
                return 1;
            }
        }
        logger(L).debug("sfd.lfs", "init ok");
        run.inited = true;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int push_false(lua_State* L) {
    lua_pushboolean(L, 0);
    return 1;
}

int l_set(lua_State* L) {
    if (not_inited(L)) return 0;
    const char* key = luaL_checkstring(L, 1);
    std::string bytes;
    switch (lua_type(L, 2)) {
        case LUA_TBOOLEAN:
            bytes += static_cast<char>(LUA_TBOOLEAN);
            bytes += static_cast<char>(lua_toboolean(L, 2) != 0 ? 1 : 0);
            break;
        case LUA_TNUMBER:
            if (lua_isinteger(L, 2)) {
                const lua_Integer v = lua_tointeger(L, 2);
                char raw[sizeof v];
                std::memcpy(raw, &v, sizeof v);  // little-endian, as on the module
                bytes += kIntegerTag;
                bytes.append(raw, sizeof raw);
            } else {
                // A float is stored as pack.pack(">f", v): single precision, big-endian.
                lua_getglobal(L, "pack");
                if (!lua_istable(L, -1)) {
                    logger(L).warn("fskv", "float number need pack lib");
                    return push_false(L);
                }
                lua_getfield(L, -1, "pack");
                lua_pushstring(L, ">f");
                lua_pushvalue(L, 2);
                lua_call(L, 2, 1);
                if (!lua_isstring(L, -1)) {
                    logger(L).warn("fskv", "kdb store number fail!!");
                    return push_false(L);
                }
                std::size_t len = 0;
                const char* packed = lua_tolstring(L, -1, &len);
                bytes += static_cast<char>(LUA_TNUMBER);
                bytes.append(packed, len);
            }
            break;
        case LUA_TSTRING: {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, 2, &len);
            bytes += static_cast<char>(LUA_TSTRING);
            bytes.append(s, len);
            break;
        }
        case LUA_TTABLE: {
            lua_settop(L, 2);
            lua_getglobal(L, "json");
            if (!lua_istable(L, -1)) {
                logger(L).warn("fskv", "miss json lib, not support table value");
                return push_false(L);
            }
            lua_getfield(L, -1, "encode");
            if (!lua_isfunction(L, -1)) {
                logger(L).warn("fskv", "miss json.encode, not support table value");
                return push_false(L);
            }
            lua_pushvalue(L, 2);
            lua_call(L, 1, 1);
            if (!lua_isstring(L, -1)) {
                logger(L).warn("fskv", "json.encode(val) report error");
                return push_false(L);
            }
            std::size_t len = 0;
            const char* s = lua_tolstring(L, -1, &len);
            bytes += static_cast<char>(LUA_TTABLE);
            bytes.append(s, len);
            break;
        }
        default:
            logger(L).warn("fskv", "function/userdata/nil/thread isn't allow");
            return push_false(L);
    }
    if (bytes.size() > kMaxValueBytes) {
        logger(L).error("fskv", "value too big " + std::to_string(bytes.size()) + " max " +
                                    std::to_string(kMaxValueBytes));
        return push_false(L);
    }
    lua_pushboolean(L, store(L).set(key, bytes) ? 1 : 0);
    return 1;
}

// Push the stored value (LuatOS's decoding); `skey` picks a field of a table value.
int push_value(lua_State* L, const std::string& bytes, const char* skey) {
    const std::size_t size = bytes.size();
    switch (bytes[0]) {
        case LUA_TBOOLEAN:
            lua_pushboolean(L, bytes[1] != 0 ? 1 : 0);
            break;
        case LUA_TNUMBER:
            lua_getglobal(L, "pack");
            lua_getfield(L, -1, "unpack");
            lua_pushlstring(L, bytes.data() + 1, size - 1);
            lua_pushstring(L, ">f");
            lua_call(L, 2, 2);  // next position, value: the value is returned
            break;
        case kIntegerTag: {
            lua_Integer v = 0;
            std::memcpy(&v, bytes.data() + 1, std::min(sizeof v, size - 1));
            lua_pushinteger(L, v);
            break;
        }
        case LUA_TSTRING:
            lua_pushlstring(L, bytes.data() + 1, size - 1);
            break;
        case LUA_TTABLE:
            lua_getglobal(L, "json");
            lua_getfield(L, -1, "decode");
            lua_pushlstring(L, bytes.data() + 1, size - 1);
            lua_call(L, 1, 1);
            if (std::strlen(skey) > 0 && lua_istable(L, -1)) lua_getfield(L, -1, skey);
            break;
        default: {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(bytes[0]));
            logger(L).warn("fskv", std::string("bad value prefix ") + hex);
            lua_pushnil(L);
            break;
        }
    }
    return 1;
}

int l_get(lua_State* L) {
    if (not_inited(L)) return 0;
    const char* key = luaL_checkstring(L, 1);
    const char* skey = luaL_optstring(L, 2, "");
    const auto bytes = store(L).get(key);
    if (!bytes || bytes->size() < 2) return 0;  // no such key (or only a type byte: "" is read as absent)
    return push_value(L, *bytes, skey);
}

int l_sett(lua_State* L) {
    if (not_inited(L)) return 0;
    const char* key = luaL_checkstring(L, 1);
    const char* skey = luaL_checkstring(L, 2);
    if (lua_gettop(L) < 3) {
        logger(L).debug("fskv", "require key skey value");
        return 0;
    }
    const auto bytes = store(L).get(key);
    bool decoded = false;
    if (bytes && bytes->size() >= 1 && (*bytes)[0] == LUA_TTABLE) {
        lua_getglobal(L, "json");
        lua_getfield(L, -1, "decode");
        lua_pushlstring(L, bytes->data() + 1, bytes->size() - 1);
        lua_call(L, 1, 1);
        decoded = lua_type(L, -1) == LUA_TTABLE;
        if (!decoded) lua_pop(L, 1);
    }
    if (!decoded) lua_newtable(L);  // absent or not a table: replaced by a new table
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, skey);  // nil removes the field
    lua_replace(L, 2);
    lua_settop(L, 2);
    return l_set(L);
}

int l_del(lua_State* L) {
    if (not_inited(L)) return 0;
    const char* key = luaL_checkstring(L, 1);
    store(L).remove(key);
    lua_pushboolean(L, 1);  // LuatOS's delete always reports success
    return 1;
}

int l_clear(lua_State* L) {
    if (not_inited(L)) return 0;
    lua_pushboolean(L, store(L).clear() ? 1 : 0);
    return 1;
}

int l_status(lua_State* L) {
    if (not_inited(L)) return 0;
    const FskvStore::Status s = store(L).status();
    lua_pushinteger(L, static_cast<lua_Integer>(s.used_bytes));
    lua_pushinteger(L, static_cast<lua_Integer>(s.total_bytes));
    lua_pushinteger(L, static_cast<lua_Integer>(s.count));
    return 3;
}

// fskv.iter(): a userdata holding the position of the next key.
int l_iter(lua_State* L) {
    if (not_inited(L)) return 0;
    auto* offset = static_cast<std::size_t*>(lua_newuserdatauv(L, sizeof(std::size_t), 0));
    *offset = 0;
    return 1;
}

// fskv.next(iter) -> the next key, or nothing at the end. (LuatOS dereferences whatever it is given;
// here anything but an iterator's userdata is an argument error.)
int l_next(lua_State* L) {
    luaL_checktype(L, 1, LUA_TUSERDATA);
    if (lua_rawlen(L, 1) != sizeof(std::size_t)) return luaL_argerror(L, 1, "fskv iterator expected");
    auto* offset = static_cast<std::size_t*>(lua_touserdata(L, 1));
    if (!run_of(L).inited) return 0;
    const auto key = store(L).key_at(*offset);
    if (!key) return 0;
    lua_pushlstring(L, key->data(), key->size());
    ++*offset;
    return 1;
}

}  // namespace

void install_fskv(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "fskv");
    static const luaL_Reg kFunctions[] = {
        {"init", l_init},      {"set", l_set},      {"get", l_get},      {"del", l_del},
        {"clr", l_clear},      {"clear", l_clear},  {"stat", l_status},  {"status", l_status},
        {"iter", l_iter},      {"next", l_next},    {"sett", l_sett},    {"kvdb_init", l_init},
        {"kv_set", l_set},     {"kv_get", l_get},   {"kv_del", l_del},   {"kv_clr", l_clear},
        {"kv_stat", l_status}, {"kv_iter", l_iter}, {"kv_next", l_next}, {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &ctx);
    new (lua_newuserdatauv(L, sizeof(FskvRun), 0)) FskvRun{};
    luaL_setfuncs(L, kFunctions, 2);
    // LuatOS also names the table `fdb` (the older fdb library is left out when fskv is built in).
    lua_pushvalue(L, -1);
    lua_setglobal(L, "fdb");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
