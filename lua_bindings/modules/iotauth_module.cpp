// iotauth: the MQTT login triples (client id, user name, password) of the IoT clouds, as LuatOS's
// luat_iotauth.c makes them (docs/modules/iotauth.md): Aliyun, OneNET, Huawei IoTDA, Tencent
// (qcloud), Tuya and Baidu. Inputs are C strings there (an embedded NUL ends them), every HMAC with
// an empty key is a plain digest (luat_crypto_md), and a method a cloud does not support gives empty
// strings, after whatever the module had already written.
#include <mbedtls/md.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/codec/base64.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// The module's fixed buffers, whose snprintf calls cut what does not fit (luat_iotauth.h).
constexpr std::size_t kClientIdLen = 192;
constexpr std::size_t kUserNameLen = 192;
constexpr std::size_t kPasswordLen = 256;
constexpr std::size_t kTokenTempLen = 100;  // tuya's and baidu's string to sign

std::string fit(std::string s, std::size_t buffer) {
    if (s.size() >= buffer) s.resize(buffer - 1);
    return s;
}

struct Triple {
    std::string client_id;
    std::string user_name;
    std::string password;
};

int push_triple(lua_State* L, const Triple& t) {
    lua_pushstring(L, fit(t.client_id, kClientIdLen).c_str());
    lua_pushstring(L, fit(t.user_name, kUserNameLen).c_str());
    lua_pushstring(L, fit(t.password, kPasswordLen).c_str());
    return 3;
}

// Case-insensitive on `method` only, as the module's method_is ("HMACMD5" is "hmacmd5").
bool method_is(std::string_view method, std::string_view lower_name) {
    if (method.size() != lower_name.size()) return false;
    for (std::size_t i = 0; i < method.size(); ++i) {
        char a = method[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
        if (a != lower_name[i]) return false;
    }
    return true;
}

std::string hex(const std::string& bytes, bool upper) {
    static constexpr char kLower[] = "0123456789abcdef";
    static constexpr char kUpper[] = "0123456789ABCDEF";
    const char* digits = upper ? kUpper : kLower;
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    return out;
}

// HMAC of `msg` with `key`, or the plain digest for an empty key (as luat_crypto_md does it).
std::string mac(mbedtls_md_type_t type, std::string_view msg, std::string_view key) {
    const mbedtls_md_info_t* info = mbedtls_md_info_from_type(type);
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    const auto* m = reinterpret_cast<const unsigned char*>(msg.data());
    if (key.empty())
        mbedtls_md(info, m, msg.size(), out);
    else
        mbedtls_md_hmac(info, reinterpret_cast<const unsigned char*>(key.data()), key.size(), m, msg.size(),
                        out);
    return std::string(reinterpret_cast<const char*>(out), mbedtls_md_get_size(info));
}

std::string digest(mbedtls_md_type_t type, std::string_view msg) {
    return mac(type, msg, {});
}

// luat_str_base64_decode into a buffer of `capacity` bytes: the decoded key; nothing for text that
// is not base64; `capacity` is never exceeded (the module reads zeros past a too-long key).
std::string decode_key(const char* text, std::size_t capacity) {
    auto decoded = base64_decode(text);
    if (!decoded) return {};
    if (decoded->size() > capacity) return std::string(decoded->size(), '\0');
    return *decoded;
}

std::string arg(lua_State* L, int index) {
    return luaL_checkstring(L, index);  // up to the first NUL, as the module's sprintf reads it
}

std::string opt_arg(lua_State* L, int index, const char* def) {
    return luaL_optstring(L, index, def);
}

void not_supported(lua_State* L, const std::string& method) {
    module_log(L, sys_task::kLogError, "iotauth", "not support: " + method);
}

// iotauth.aliyun(product_key, device_name, device_secret [, method = "hmacmd5" [, timestamp
// [, is_tls]]])
int l_aliyun(lua_State* L) {
    const std::string product_key = arg(L, 1);
    const std::string device_name = arg(L, 2);
    const std::string device_secret = arg(L, 3);
    const std::string method = opt_arg(L, 4, "hmacmd5");
    long long timestamp = 32472115200;  // 2999-01-01 00:00:00 UTC+8
    if (lua_type(L, 5) == LUA_TNUMBER) timestamp = luaL_checkinteger(L, 5);
    const bool is_tls = lua_isboolean(L, 6) && lua_toboolean(L, 6) != 0;
    Triple t;
    mbedtls_md_type_t md = MBEDTLS_MD_NONE;
    std::string sign_method;
    for (const auto& [name, type] :
         {std::pair{"hmacmd5", MBEDTLS_MD_MD5}, std::pair{"hmacsha1", MBEDTLS_MD_SHA1},
          std::pair{"hmacsha256", MBEDTLS_MD_SHA256}}) {
        if (method_is(method, name)) {
            md = type;
            sign_method = name;
        }
    }
    if (md == MBEDTLS_MD_NONE) {
        not_supported(L, method);
        return push_triple(L, t);
    }
    const std::string ts = std::to_string(timestamp);
    const std::string device_id = product_key + "." + device_name;
    t.client_id = device_id + "|securemode=" + (is_tls ? "2" : "3") + ",signmethod=" + sign_method +
                  ",timestamp=" + ts + "|";
    t.user_name = device_name + "&" + product_key;
    const std::string src =
        "clientId" + device_id + "deviceName" + device_name + "productKey" + product_key + "timestamp" + ts;
    t.password = hex(mac(md, src, device_secret), true);
    return push_triple(L, t);
}

// OneNET's URL encoding of `res` and `sign`: the characters "+ /?%#&=" as %XX, into a 192-byte buffer.
std::string onenet_url_encode(const std::string& src) {
    static constexpr std::string_view kEncoded = "+ /?%#&=";
    constexpr std::size_t kTemp = 192;
    std::string out;
    for (const char ch : src) {
        if (kEncoded.find(ch) != std::string_view::npos) {
            if (out.size() + 3 >= kTemp) break;
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(ch));
            out += buf;
        } else {
            if (out.size() + 1 >= kTemp) break;
            out += ch;
        }
    }
    return out;
}

// iotauth.onenet(product_id, device_name, key [, method = "md5" [, (ignored) [, version =
// "2018-10-31" [, res]]]]): the token always expires at 32472115200.
int l_onenet(lua_State* L) {
    const std::string product_id = arg(L, 1);
    const std::string device_name = arg(L, 2);
    const std::string device_secret = arg(L, 3);
    const std::string method = opt_arg(L, 4, "md5");
    const std::string version = opt_arg(L, 6, "2018-10-31");
    std::string res = "products/" + product_id + "/devices/" + device_name;
    if (lua_type(L, 7) == LUA_TSTRING) res = luaL_checkstring(L, 7);
    Triple t;
    const std::string et = "32472115200";
    const std::string key = decode_key(device_secret.c_str(), 64);
    const std::string to_sign = et + "\n" + method + "\n" + res + "\n" + version;
    mbedtls_md_type_t md = MBEDTLS_MD_NONE;
    if (method_is(method, "md5")) md = MBEDTLS_MD_MD5;
    if (method_is(method, "sha1")) md = MBEDTLS_MD_SHA1;
    if (method_is(method, "sha256")) md = MBEDTLS_MD_SHA256;
    if (md == MBEDTLS_MD_NONE) {
        not_supported(L, method);
        return push_triple(L, t);
    }
    const std::string sign = base64_encode(mac(md, to_sign, key));
    t.client_id = device_name;
    t.user_name = product_id;
    t.password = "version=" + version + "&res=" + onenet_url_encode(res) + "&et=" + et + "&method=" + method +
                 "&sign=" + onenet_url_encode(sign);
    return push_triple(L, t);
}

// iotauth.iotda(device_id, device_secret [, timestamp]): the client id carries the hour of the
// timestamp in the module's time zone (localtime there).
int l_iotda(lua_State* L) {
    const std::string device_id = arg(L, 1);
    const std::string device_secret = arg(L, 2);
    long long timestamp = 32472115200;
    int checked = 0;
    if (lua_type(L, 3) == LUA_TNUMBER) {
        timestamp = luaL_checkinteger(L, 3);
        checked = 1;
    }
    const long offset =
        static_cast<long>(RunContext::from_upvalue(L).device().config().tz_offset_minutes) * 60;
    const std::time_t local = static_cast<std::time_t>(timestamp) + offset;
    std::tm tm{};
    gmtime_r(&local, &tm);
    char hour[32];
    std::snprintf(hour, sizeof hour, "%04d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour);
    const std::string stamp = fit(hour, 11);
    Triple t;
    t.client_id = device_id + "_0_" + std::to_string(checked) + "_" + stamp;
    t.user_name = device_id;
    t.password = hex(mac(MBEDTLS_MD_SHA256, device_secret, stamp), false);
    return push_triple(L, t);
}

// iotauth.qcloud(product_id, device_name, device_secret [, method = "sha256" [, timestamp
// [, sdk_appid = "12010126"]]]): the user name carries a random 5-letter connection id.
int l_qcloud(lua_State* L) {
    const std::string product_id = arg(L, 1);
    const std::string device_name = arg(L, 2);
    const std::string device_secret = arg(L, 3);
    const std::string method = opt_arg(L, 4, "sha256");
    long long timestamp = 32472115200;
    if (lua_type(L, 5) == LUA_TNUMBER) timestamp = luaL_checkinteger(L, 5);
    const std::string appid = opt_arg(L, 6, "12010126");
    const std::string psk = decode_key(device_secret.c_str(), 48);
    unsigned char random[5] = {};
    host_random(random, sizeof random);
    std::string conn_id;
    for (const unsigned char r : random)
        conn_id += static_cast<char>('a' + r % 26);
    Triple t;
    t.client_id = product_id + device_name;
    t.user_name = product_id + device_name + ";" + appid + ";" + conn_id + ";" + std::to_string(timestamp);
    const std::string user_name = fit(t.user_name, kUserNameLen);
    if (method_is(method, "sha1")) {
        t.password = hex(mac(MBEDTLS_MD_SHA1, user_name, psk), false) + ";hmacsha1";
    } else if (method_is(method, "sha256")) {
        t.password = hex(mac(MBEDTLS_MD_SHA256, user_name, psk), false) + ";hmacsha256";
    } else {
        not_supported(L, method);
    }
    return push_triple(L, t);
}

// iotauth.tuya(device_id, device_secret [, timestamp = 7258089600])
int l_tuya(lua_State* L) {
    const std::string device_id = arg(L, 1);
    const std::string device_secret = arg(L, 2);
    long long timestamp = 7258089600;  // 2200-01-01 00:00:00 UTC+8
    if (lua_type(L, 3) == LUA_TNUMBER) timestamp = luaL_checkinteger(L, 3);
    const std::string ts = std::to_string(timestamp);
    const std::string to_sign =
        fit("deviceId=" + device_id + ",timestamp=" + ts + ",secureMode=1,accessType=1", kTokenTempLen);
    Triple t;
    t.client_id = "tuyalink_" + device_id;
    t.user_name = device_id + "|signMethod=hmacSha256,timestamp=" + ts + ",secureMode=1,accessType=1";
    t.password = hex(mac(MBEDTLS_MD_SHA256, to_sign, device_secret), false);
    return push_triple(L, t);
}

// iotauth.baidu(iot_core_id, device_key, device_secret [, method = "MD5" [, timestamp = 0]])
int l_baidu(lua_State* L) {
    const std::string core_id = arg(L, 1);
    const std::string device_key = arg(L, 2);
    const std::string device_secret = arg(L, 3);
    const std::string method = opt_arg(L, 4, "MD5");
    const long long timestamp = luaL_optinteger(L, 5, 0);
    Triple t;
    t.client_id = core_id;
    mbedtls_md_type_t md = MBEDTLS_MD_NONE;
    std::string name;
    if (method_is(method, "md5")) {
        md = MBEDTLS_MD_MD5;
        name = "MD5";
    } else if (method_is(method, "sha256")) {
        md = MBEDTLS_MD_SHA256;
        name = "SHA256";
    } else {
        not_supported(L, method);
        return push_triple(L, t);
    }
    const std::string ts = std::to_string(timestamp);
    t.user_name =
        "thingidp@" + core_id + "|" + device_key + (timestamp != 0 ? "|" + ts : std::string()) + "|" + name;
    const std::string token = fit(device_key + "&" + ts + "&" + name + device_secret, kTokenTempLen);
    t.password = hex(digest(md, token), false);
    return push_triple(L, t);
}

}  // namespace

void install_iotauth(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "iotauth");
    static const luaL_Reg kFunctions[] = {
        {"aliyun", l_aliyun}, {"onenet", l_onenet}, {"iotda", l_iotda}, {"qcloud", l_qcloud},
        {"tuya", l_tuya},     {"baidu", l_baidu},   {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
