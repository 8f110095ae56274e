// sms: LuatOS's SMS library (components/sms/binding/luat_lib_sms.c, components/sms/src/luat_sms.c) on
// the simulated SMS network of the board. docs/modules/sms.md.
//
// sms.send codes the text as LuatOS does (GSM 7-bit or UCS2, long texts in parts) and hands each
// part's PDU to the network (platform_air780ep::Board::submit_sms), which accepts it and answers
// kPartMs later; after the last part SMS_SENT is published (and sms.sendLong's wait returns). A part
// sent with a status report request is reported kReportMs after that (SMS_REPORT). An SMS from the
// outside world (`--control`: `sms FROM TEXT`) arrives as the SMS centre's DELIVER PDUs, unpacked by
// LuatOS's decoder: SMS_INC (phone, text, metas), then the setNewSmsCb callback; long SMS are joined.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/cwait.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/peripheral_util.hpp"
#include "platform_air780ep/sms_pdu.hpp"

namespace lua_bindings {

namespace {

namespace pdu = platform_air780ep::sms_pdu;

constexpr std::uint64_t kPartMs = 100;      // the network's answer to a submitted part
constexpr std::uint64_t kReportMs = 200;    // delivery to the recipient, then the status report
constexpr std::size_t kMaxFragments = 128;  // LONG_SMS_CMAX
constexpr lua_Integer kInvalidData = 550;   // SMS_INVALID_DATA

// luat_sms_rpcause_to_string of the RP-Cause the simulated network gives: 0.
constexpr const char* kRpCauseSuccess = "SUCCESS";

// luat_sms_status_to_string
std::string status_text(std::uint8_t st) {
    if (st <= 0x01) return st == 0x00 ? "SUCCESS" : "FORWARDED";
    if (st <= 0x1F) return "RESERVED";
    if (st <= 0x3F) {
        static const char* const kTemp[] = {"FAILED_TEMP_CONGESTION",  "FAILED_TEMP_SME_BUSY",
                                            "FAILED_TEMP_NO_RESPONSE", "FAILED_TEMP_REJECTED",
                                            "FAILED_TEMP_QOS",         "FAILED_TEMP_SME_ERROR"};
        return st <= 0x25 ? kTemp[st - 0x20] : "FAILED_TEMP";
    }
    if (st <= 0x7F) {
        static const char* const kPerm[] = {
            "FAILED_REMOTE_PROC",   "FAILED_INCOMPAT_DEST",   "FAILED_CONN_REJECTED", "FAILED_NOT_OBTAINABLE",
            "FAILED_QOS",           "FAILED_NO_INTERWORKING", "FAILED_EXPIRED",       "FAILED_DELETED_BY_SME",
            "FAILED_DELETED_BY_SC", "FAILED_NOT_EXIST"};
        return st <= 0x49 ? kPerm[st - 0x40] : "FAILED_PERM";
    }
    return "FAILED_TEMP_FINAL";
}

struct Fragment {
    int ref = 0;
    int max = 0;
    int seq = 0;
    std::string text;
};

struct SmsModule : std::enable_shared_from_this<SmsModule> {
    explicit SmsModule(RunContext& r) : run(r), board(r.device().board()) {}
    ~SmsModule() {
        board.clear_sms_listener();
        for (const auto id : timers)
            run.device().loop().cancel_timer(id);
    }

    RunContext& run;
    platform_air780ep::Board& board;
    int new_sms_ref = 0;  // lua_sms_ref
    int report_ref = 0;   // lua_sms_report_ref
    bool auto_long = true;
    bool debug = false;
    std::vector<Fragment> fragments;  // lngbuffs

    // The SMS being sent (g_s_sms_pdu_packet / g_s_sms_send).
    pdu::SubmitMessage sending;
    int max_num = 0;  // 0: not sending
    int seq_num = 0;
    std::vector<std::uint8_t> msg_refs;
    std::uint8_t long_ref = 254;  // ref_idx
    std::uint64_t wait_id = 0;    // long_sms_send_idp
    std::vector<sys_task::EventLoop::TimerId> timers;

    sys_task::Logger& log() { return run.device().logger(); }

    void after(std::uint64_t ms, std::function<void(SmsModule&)> fn) {
        std::weak_ptr<SmsModule> weak = weak_from_this();
        auto id = std::make_shared<sys_task::EventLoop::TimerId>(0);
        *id = run.device().loop().add_timer(ms, [weak, id, fn = std::move(fn)] {
            auto m = weak.lock();
            if (!m) return;
            std::erase(m->timers, *id);
            fn(*m);
        });
        timers.push_back(*id);
    }

    void post(std::function<void(SmsModule&, lua_State*)> fn) {
        std::weak_ptr<SmsModule> weak = weak_from_this();
        run.post([weak, fn = std::move(fn)](lua_State* L) {
            if (auto m = weak.lock()) fn(*m, L);
        });
    }

    // The module's local time as the SMS centre stamps it.
    pdu::Timestamp now() const {
        const int tz = run.device().config().tz_offset_minutes;
        const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(tz) * 60;
        std::tm tm{};
        gmtime_r(&t, &tm);
        return pdu::Timestamp{tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min,        tm.tm_sec,     tz / 15};
    }

    // luat_sms_pdu_message_unpack's debug line, then the unpacked message.
    std::optional<pdu::Received> unpack(const std::vector<std::uint8_t>& p) {
        if (debug) {
            const std::size_t n = std::min<std::size_t>(p.size(), 160);
            log().info("sms", "PDU Data: " + pdu::to_hex(std::span<const std::uint8_t>(p.data(), n)));
        }
        std::optional<pdu::Received> r = pdu::unpack(p);
        if (r && r->status_report && debug) {
            log().info("sms", "STATUS-REPORT: MR=" + std::to_string(r->message_reference) +
                                  " ST=" + std::to_string(r->status) + " DT=" + r->discharge_time);
        }
        return r;
    }

    // ---- sending ----

    // luat_sms_send_msg_v2: the part goes to the network, whose answer comes kPartMs later.
    void submit(const pdu::SubmitPart& part) {
        const std::vector<std::uint8_t> p = pdu::build_submit(part);
        std::string error;
        const std::optional<platform_air780ep::SmsSubmitResult> result = board.submit_sms(p, error);
        if (!result) {
            log().warn("sms", "the network refused a PDU: " + error);
            after(kPartMs, [](SmsModule& m) { m.part_sent(static_cast<int>(kInvalidData), 0); });
            return;
        }
        const bool report = part.status_report;
        const platform_air780ep::SmsSubmitResult r = *result;
        after(kPartMs, [r, report](SmsModule& m) {
            m.part_sent(0, r.message_reference);
            if (report) m.after(kReportMs, [r](SmsModule& mm) { mm.status_report(r); });
        });
    }

    // luat_sms_send_cb
    void part_sent(int ret, std::uint8_t mr) {
        if (max_num == 0) return;
        if (seq_num > 0 && seq_num <= static_cast<int>(kMaxFragments)) {
            if (msg_refs.size() < static_cast<std::size_t>(seq_num))
                msg_refs.resize(static_cast<std::size_t>(seq_num));
            msg_refs[static_cast<std::size_t>(seq_num - 1)] = mr;
            msg_refs.resize(static_cast<std::size_t>(seq_num));
        }
        if (ret != 0) {
            send_done(false, ret, mr);
            return;
        }
        if (seq_num == max_num) {
            send_done(true, 0, mr);
            return;
        }
        seq_num = static_cast<std::uint8_t>(seq_num + 1);
        const auto index = static_cast<std::size_t>(seq_num - 1);
        if (index >= sending.parts.size()) {
            send_done(false, 0, mr);
            return;
        }
        submit(sending.parts[index]);
    }

    // luat_sms_send_done, then l_long_sms_send_callback as a native message.
    void send_done(bool ok, int error_code, std::uint8_t mr) {
        post([ok, error_code, mr](SmsModule& m, lua_State* L) {
            if (m.wait_id != 0) {
                lua_pushboolean(L, ok ? 1 : 0);
                cbcwait(L, m.wait_id, 1);
                m.wait_id = 0;
            }
            lua_pushliteral(L, "SMS_SENT");
            lua_pushboolean(L, ok ? 1 : 0);
            lua_pushinteger(L, 0);
            lua_pushstring(L, kRpCauseSuccess);
            lua_pushinteger(L, mr);
            lua_pushinteger(L, error_code & 0xFFFF);
            lua_createtable(L, static_cast<int>(m.msg_refs.size()), 0);
            for (std::size_t i = 0; i < m.msg_refs.size(); ++i) {
                lua_pushinteger(L, m.msg_refs[i]);
                lua_seti(L, -2, static_cast<lua_Integer>(i + 1));
            }
            m.max_num = 0;
            call_sys_pub(L, 7);
        });
    }

    void status_report(const platform_air780ep::SmsSubmitResult& r) {
        const pdu::Timestamp t = now();
        const std::optional<pdu::Received> rec =
            unpack(pdu::build_status_report(r.message_reference, r.destination, r.type_of_address, t, t, 0));
        if (!rec) return;
        post([rec = *rec](SmsModule& m, lua_State* L) {
            const std::string st = status_text(rec.status);
            auto push = [&] {
                lua_pushinteger(L, rec.message_reference);
                lua_pushinteger(L, rec.status);
                lua_pushlstring(L, st.data(), st.size());
                lua_pushlstring(L, rec.phone.data(), rec.phone.size());
                lua_pushlstring(L, rec.discharge_time.data(), rec.discharge_time.size());
            };
            lua_getglobal(L, "sys_pub");
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                return;
            }
            lua_pushliteral(L, "SMS_REPORT");
            push();
            lua_call(L, 6, 0);
            if (m.report_ref != 0) {
                lua_rawgeti(L, LUA_REGISTRYINDEX, m.report_ref);
                if (lua_isfunction(L, -1)) {
                    push();
                    lua_call(L, 5, 0);
                } else {
                    lua_pop(L, 1);
                }
            }
        });
    }

    // ---- the sysplus waits of sms.sendLong ----

    // ---- receiving ----

    void incoming(const platform_air780ep::IncomingSms& sms) {
        const std::vector<std::vector<std::uint8_t>> pdus =
            pdu::build_deliver(sms.from, sms.text, now(), board.next_concatenation_reference());
        for (const auto& p : pdus) {
            std::optional<pdu::Received> rec = unpack(p);
            if (!rec) continue;
            post([rec = std::move(*rec)](SmsModule& m, lua_State* L) { m.received(L, rec); });
        }
    }

    // push_sms_args: the phone, the text (joined from the fragments when `joined`), the metas.
    void push_args(lua_State* L, const pdu::Received& sms, const std::string* text, int ref) {
        std::string phone = sms.phone;
        if (phone.size() > 4 && phone[0] == '0' && phone[1] == '0' && phone.size() % 2 == 0) {
            phone = pdu::luatos_ucs2_hex_to_utf8(phone);  // LuatOS takes such a number for UCS2 hex
        }
        lua_pushlstring(L, phone.data(), phone.size());
        if (text == nullptr) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int j = 0; j < sms.max; ++j) {
                for (const Fragment& f : fragments) {
                    if (f.ref == ref && f.seq == j + 1) luaL_addstring(&b, f.text.c_str());
                }
            }
            luaL_pushresult(&b);
        } else {
            lua_pushlstring(L, text->data(), text->size());
        }
        lua_createtable(L, 0, 10);
        const std::pair<const char*, int> fields[] = {
            {"refNum", sms.ref}, {"seqNum", sms.seq}, {"maxNum", sms.max}, {"year", sms.year},
            {"mon", sms.month},  {"day", sms.day},    {"hour", sms.hour},  {"min", sms.minute},
            {"sec", sms.second}, {"tz", 0},  // the unpacker leaves the zone out
        };
        for (const auto& [name, value] : fields) {
            lua_pushinteger(L, value);
            lua_setfield(L, -2, name);
        }
    }

    // l_sms_recv_handler
    void received(lua_State* L, const pdu::Received& sms) {
        char line[48];
        std::snprintf(line, sizeof line, "dcs %d | %d | %d | %d", sms.alphabet, 0, 0, 0);
        log().debug("sms", line);
        std::string text = sms.alphabet == 0 ? sms.buffer : pdu::luatos_ucs2_hex_to_utf8(sms.buffer);
        text = std::string(text.c_str());  // LuatOS handles it as a C string
        bool joined = false;
        if (sms.max > 0 && auto_long) {
            if (fragments.size() >= kMaxFragments) {
                log().error("sms", "too many long-sms!!");
                return;
            }
            fragments.push_back(Fragment{sms.ref, sms.max, sms.seq, text});
            std::size_t counter =
                static_cast<std::size_t>(sms.max + 1) * static_cast<std::size_t>(sms.max) / 2;
            for (const Fragment& f : fragments) {
                if (f.ref == sms.ref) counter -= static_cast<std::size_t>(f.seq);
            }
            if (counter != 0) {
                log().info("sms", "long-sms, wait more frags " + std::to_string(sms.seq) + "/" +
                                      std::to_string(sms.max));
                return;
            }
            log().info("sms", "long-sms is ok");
            joined = true;
        }
        lua_getglobal(L, "sys_pub");
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return;
        }
        lua_pushliteral(L, "SMS_INC");
        push_args(L, sms, joined ? nullptr : &text, sms.ref);
        lua_call(L, 4, 0);
        if (new_sms_ref != 0) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, new_sms_ref);
            if (lua_isfunction(L, -1)) {
                push_args(L, sms, joined ? nullptr : &text, sms.ref);
                lua_call(L, 3, 0);
            } else {
                lua_pop(L, 1);
            }
        }
        std::erase_if(fragments, [&](const Fragment& f) { return f.ref == sms.ref; });
    }
};

SmsModule& module_of(lua_State* L) {
    return upvalue_object<SmsModule>(L);
}

// The checks sms.send and sms.sendLong share: nullopt (after LuatOS's log line) when refused.
struct SendArgs {
    std::string phone;
    std::string text;
    bool auto_phone = true;
    bool report = false;
};
SendArgs read_send_args(lua_State* L) {
    SendArgs a;
    std::size_t len = 0;
    const char* phone = luaL_checklstring(L, 1, &len);
    a.phone.assign(phone, len);
    const char* text = luaL_checklstring(L, 2, &len);
    a.text.assign(text, len);
    if (lua_isboolean(L, 3) && !lua_toboolean(L, 3)) a.auto_phone = false;
    if (lua_isboolean(L, 4) && lua_toboolean(L, 4)) a.report = true;
    return a;
}

bool acceptable(SmsModule& m, const SendArgs& a) {
    if (a.text.empty()) {
        m.log().error("sms", "sms is empty");
        return false;
    }
    if (a.phone.size() < 3 || a.phone.size() > 29) {
        m.log().error("sms", "phone is too short or too long!! " + std::to_string(a.phone.size()));
        return false;
    }
    return true;
}

// Codes the message, submits its first part, logs the PDU length.
void start_sending(SmsModule& m, const SendArgs& a) {
    m.sending = pdu::prepare_submit(a.phone, a.text, a.auto_phone, a.report, m.long_ref);
    m.msg_refs.clear();
    m.max_num = m.sending.parts.front().max_num;
    m.seq_num = 1;
    const std::vector<std::uint8_t> first = pdu::build_submit(m.sending.parts.front());
    m.log().debug("sms", "pdu len " + std::to_string(first.empty() ? -1 : static_cast<int>(first.size())));
    m.submit(m.sending.parts.front());
}

// sms.send(phone, msg, auto_phone_fix, need_report) -> true | false | nothing
int l_send(lua_State* L) {
    SmsModule& m = module_of(L);
    const SendArgs a = read_send_args(L);
    if (m.max_num != 0) {
        m.log().error("sms", "sms is busy");
        return 0;
    }
    if (!acceptable(m, a)) return 0;
    start_sending(m, a);
    lua_pushboolean(L, 1);
    return 1;
}

// sms.sendLong(phone, msg, auto_phone_fix, need_report) -> a sys_cw object; .wait() gives the result
int l_send_long(lua_State* L) {
    SmsModule& m = module_of(L);
    const SendArgs a = read_send_args(L);
    if (m.max_num != 0) {
        m.log().error("sms", "sms is busy");
        lua_pushboolean(L, 0);
        pushcwait_error(L, m.log(), 1);
        return 1;
    }
    if (m.wait_id != 0 || !acceptable(m, a)) {
        lua_pushboolean(L, 0);
        pushcwait_error(L, m.log(), 1);
        return 1;
    }
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    start_sending(m, a);
    return 1;
}

// luaL_ref takes the top of the stack, whatever the argument count (as LuatOS does).
int set_callback(lua_State* L, int& ref) {
    if (ref != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
        ref = 0;
    }
    if (lua_isfunction(L, 1)) ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

// sms.setNewSmsCb(func)
int l_set_new_sms_cb(lua_State* L) {
    return set_callback(L, module_of(L).new_sms_ref);
}

// sms.setReportCb(func)
int l_set_report_cb(lua_State* L) {
    return set_callback(L, module_of(L).report_ref);
}

// sms.autoLong(mode) -> boolean
int l_auto_long(lua_State* L) {
    SmsModule& m = module_of(L);
    if (lua_isboolean(L, 1) || lua_isinteger(L, 1)) m.auto_long = lua_toboolean(L, 1) != 0;
    lua_pushboolean(L, m.auto_long ? 1 : 0);
    return 1;
}

// sms.clearLong() -> fragments dropped
int l_clear_long(lua_State* L) {
    SmsModule& m = module_of(L);
    lua_pushinteger(L, static_cast<lua_Integer>(m.fragments.size()));
    m.fragments.clear();
    return 1;
}

// sms.debug(enable)
int l_debug(lua_State* L) {
    SmsModule& m = module_of(L);
    m.debug = lua_toboolean(L, 1) == 1;
    m.log().info("sms", m.debug ? "SMS debug enabled" : "SMS debug disabled");
    return 0;
}

}  // namespace

void install_sms(RunContext& run) {
    auto module = std::make_shared<SmsModule>(run);
    std::weak_ptr<SmsModule> weak = module;
    module->board.set_sms_listener([weak](const platform_air780ep::IncomingSms& sms) {
        if (auto m = weak.lock()) m->incoming(sms);
    });
    // What the network held while the module rebooted arrives once sys.run() is running.
    for (const platform_air780ep::IncomingSms& sms : module->board.take_pending_sms())
        module->incoming(sms);
    run.on_close([module]() mutable { module.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "sms");
    static const luaL_Reg kFunctions[] = {
        {"send", l_send},          {"sendLong", l_send_long},   {"setNewSmsCb", l_set_new_sms_cb},
        {"autoLong", l_auto_long}, {"clearLong", l_clear_long}, {"setReportCb", l_set_report_cb},
        {"debug", l_debug},        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
