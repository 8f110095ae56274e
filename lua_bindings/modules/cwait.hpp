// LuatOS's `.wait()` objects (luat_pushcwait / luat_pushcwait_error / luat_cbcwait): a C function
// returns sys_cw(topic), the task's wait() waits for the topic, and the C side publishes the results
// on it with sys_pub. Shared by every module that answers through one (http, ftp, sms).
#pragma once

#include <cstdint>
#include <string>

#include "sys_task/logger.hpp"
#include "sys_task/lua_cxx.hpp"
#include "sys_task/sys_scheduler.hpp"

namespace lua_bindings {

// "\x01" + the id's 8 bytes, little-endian (LuatOS's topic).
std::string cwait_topic(std::uint64_t id);

// luat_pushcwait: pushes sys_cw(topic) for a new id of the run and returns the id; without sys_cw
// logs "sys lib not found!", pushes nil and returns 0.
std::uint64_t pushcwait(lua_State* L, sys_task::Scheduler& scheduler, sys_task::Logger& log);

// luat_pushcwait_error: sys_cw(nil, <the nargs values on top>), the object's wait() gives them.
void pushcwait_error(lua_State* L, sys_task::Logger& log, int nargs);

// luat_cbcwait: sys_pub(topic, <the nargs values on top>).
void cbcwait(lua_State* L, std::uint64_t id, int nargs);

}  // namespace lua_bindings
