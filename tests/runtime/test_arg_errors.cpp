// Every function of the runtime given wrong types raises a LuatOS-style argument error that names the
// function and the argument, and the runtime keeps running.
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using tests::run_script;
using Lines = std::vector<std::string>;

TEST_CASE("argument errors name the function and the argument, and nothing crashes") {
    auto r = run_script(R"LUA(
        local function try(f)
            local ok, err = pcall(f)
            log.info("e", ok, (tostring(err):gsub('^%[string "main.lua"%]:%d+: ', "")))
        end
        -- sys
        try(function() sys.timerStart(nil, 10) end)
        try(function() sys.timerStart(print) end)
        try(function() sys.timerStart(print, "abc") end)
        try(function() sys.timerLoopStart({}, 1) end)
        try(function() sys.timerAdvStart(print, 10, "x") end)
        try(function() sys.taskInit(5) end)
        try(function() sys.taskInitEx("x", "name") end)
        try(function() sys.subscribe(nil, print) end)
        try(function() sys.subscribe("x", 5) end)
        try(function() sys.coresume("x") end)
        sys.taskInit(function()
            try(function() sys.wait("x") end)
            try(function() sys.wait() end)
            try(function() sys.waitUntil(nil) end)
            try(function() sys.waitUntil("x", {}) end)
            try(function() sys.waitUntilExt("x", true) end)
            try(function() sys.waitUntilMsg() end)
            sys.publish("DONE")
        end)
        -- log, string (json returns its argument errors: test_json.cpp)
        try(function() string.toHex(nil) end)
        try(function() ("x"):toHex({}) end)
        try(function() string.fromHex({}) end)
        try(function() string.split(nil) end)
        -- platform
        try(function() mobile.imei("x") end)
        try(function() socket.dft("x") end)
        try(function() socket.adapter({}) end)
        try(function() socket.localIP(1.5) end)
        try(function() rtos.meminfo({}) end)
        try(function() io.readFile(nil) end)
        try(function() io.readFile("/x", "rb", "zero") end)
        try(function() io.writeFile("/x", nil) end)
        try(function() io.exists(nil) end)
        try(function() io.fileSize({}) end)
        try(function() io.open(nil) end)
        try(function() io.open("/x", "z") end)
        try(function() os.date({}) end)
        try(function() os.time("x") end)
        try(function() os.time({year = 2024}) end)
        try(function() os.exit("x") end)
        try(function() crypto.md5(nil) end)
        try(function() crypto.hmac_sha256("a") end)
        try(function() io.mkdir(nil) end)
        try(function() io.rmdir({}) end)
        try(function() os.remove(nil) end)
        try(function() os.rename("/a") end)
        try(function() loadfile(nil) end)
        try(function() dofile({}) end)
        try(function() ("x"):startsWith(nil) end)
        try(function() string.trim({}) end)
        try(function() crypto.base64_decode(nil) end)
        sys.taskInit(function() sys.waitUntil("DONE") log.info("e", "still running") os.exit(0) end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines ==
          Lines{
              "I/user.e false bad argument #1 to 'timerStart' (function expected, got nil)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got nil)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got string)",
              "I/user.e false bad argument #1 to 'timerLoopStart' (function expected, got table)",
              "I/user.e false bad argument #3 to 'timer_start' (number expected, got string)",
              "I/user.e false bad argument #1 to 'taskInit' (function expected, got number)",
              "I/user.e false bad argument #1 to 'taskInitEx' (function expected, got string)",
              "I/user.e false bad argument #1 to 'subscribe' (message id expected, got nil)",
              "I/user.e false bad argument #2 to 'subscribe' (function or thread expected, got number)",
              "I/user.e false bad argument #1 to 'coresume' (thread expected, got string)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got string)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got nil)",
              "I/user.e false bad argument #1 to 'waitUntil' (message id expected, got nil)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got table)",
              "I/user.e false bad argument #2 to 'timer_start' (number expected, got boolean)",
              "I/user.e false bad argument #1 to 'waitUntilMsg' (message id expected, got no value)",
              "I/user.e false bad argument #1 to 'toHex' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'toHex' (string expected, got table)",
              "I/user.e false bad argument #1 to 'fromHex' (string expected, got table)",
              "I/user.e false bad argument #1 to 'split' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'imei' (number expected, got string)",
              "I/user.e true nil",  // socket.dft looks only at a number (luat_lib_socket.c)
              "I/user.e false bad argument #1 to 'adapter' (number expected, got table)",
              "I/user.e false bad argument #1 to 'localIP' (number has no integer representation)",
              "I/user.e false bad argument #1 to 'meminfo' (string expected, got table)",
              "I/user.e false bad argument #1 to 'readFile' (string expected, got nil)",
              "I/user.e false bad argument #3 to 'readFile' (number expected, got string)",
              "I/user.e false bad argument #2 to 'writeFile' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'exists' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'fileSize' (string expected, got table)",
              "I/user.e false bad argument #1 to 'open' (string expected, got nil)",
              "I/user.e false bad argument #2 to 'open' (invalid mode)",
              "I/user.e false bad argument #1 to 'date' (string expected, got table)",
              "I/user.e false bad argument #1 to 'time' (table expected, got string)",
              "I/user.e false field 'day' missing in date table",
              "I/user.e false bad argument #1 to 'exit' (number expected, got string)",
              "I/user.e false bad argument #1 to 'md5' (string expected, got nil)",
              "I/user.e false bad argument #2 to 'hmac_sha256' (string expected, got no value)",
              "I/user.e false bad argument #1 to 'mkdir' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'rmdir' (string expected, got table)",
              "I/user.e false bad argument #1 to 'remove' (string expected, got nil)",
              "I/user.e false bad argument #2 to 'rename' (string expected, got no value)",
              "I/user.e false bad argument #1 to 'loadfile' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'dofile' (string expected, got table)",
              "I/user.e false bad argument #1 to 'startsWith' (string expected, got nil)",
              "I/user.e false bad argument #1 to 'trim' (string expected, got table)",
              "I/user.e false bad argument #1 to 'base64_decode' (string expected, got nil)",
              "I/user.e still running",
          });
}

// sys.lua hands every duration to rtos.timer_start, whose luaL_checkinteger raises for a fraction: the
// message names that function and its argument, as on the module (luat/modules/luat_lib_rtos.c).
TEST_CASE("sys durations are integers, checked as rtos.timer_start checks them") {
    auto r = run_script(R"LUA(
        local function try(f)
            local ok, err = pcall(f)
            log.info("e", ok, (tostring(err):gsub('^%[string "main.lua"%]:%d+: ', "")))
        end
        local function cb() end
        try(function() sys.timerStart(cb, 1.5) end)
        try(function() sys.timerLoopStart(cb, 10.25, "a") end)
        try(function() sys.timerAdvStart(cb, 10, 1.5) end)
        try(function() sys.timerStart(cb, "2.5") end)
        log.info("active", sys.timerIsActive(cb), sys.timerIsActive(cb, "a"))
        log.info("string ms", type(sys.timerStart(cb, "20")), type(sys.timerAdvStart(cb, 20, nil)))
        sys.taskInit(function()
            try(function() sys.wait(1.5) end)
            try(function() sys.waitUntil("X", 0.5) end)
            try(function() sys.waitUntilExt("X", 1e300) end)
            log.info("false ms", sys.waitUntil("Y", false))
            sys.wait("10")
            log.info("waited a string")
            sys.publish("DONE")
        end)
        sys.taskInit(function() sys.wait(20) sys.publish("Y", 1) end)
        sys.taskInitEx(function()
            sys.sendMsg("box", "queued")
            -- a message already queued is taken before ms is looked at (sys.lua)
            log.info("queued", sys.waitMsg("box", "queued", 1.5)[1])
            try(function() sys.waitMsg("box", nil, 1.5) end)
            log.info("zero", sys.waitMsg("box", nil, 0) ~= nil)
        end, "box")
        sys.taskInit(function()
            sys.waitUntil("DONE")
            sys.wait(50)
            sys.sendMsg("box", "late")
            sys.wait(10)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines ==
          Lines{
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.e false bad argument #3 to 'timer_start' (number has no integer representation)",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.active nil",
              "I/user.string ms number number",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.queued queued",
              "I/user.e false bad argument #2 to 'timer_start' (number has no integer representation)",
              "I/user.false ms true 1",
              "I/user.waited a string",
              "I/user.zero true",
          });
}

// socket.dft/adapter/localIP and zbuff's buff[i] = v as luat_lib_socket.c and luat_lib_zbuff.c read
// their integers: dft takes only a number (lua_type) and cuts it to a uint8_t; adapter ids are C
// ints; localIP's default is the default adapter (network_register_get_default); and a byte that is
// not an integer raises with Lua 5.3's name of the metamethod, '__newindex'.
TEST_CASE("socket adapter ids and zbuff bytes: checked and cut as LuatOS's C does") {
    auto r = run_script(R"LUA(
        local function try(f)
            local r = table.pack(pcall(f))
            for i = 2, r.n do r[i] = tostring(r[i]) end
            log.info("e", r[1], (table.concat(r, " ", 2, r.n):gsub('^%[string "main.lua"%]:%d+: ', "")))
        end
        try(function() return socket.dft("17") end)
        try(function() return socket.dft({}) end)
        try(function() return socket.dft(true) end)
        try(function() return socket.dft(1.5) end)
        try(function() return socket.dft((1 << 8) + 17) end)
        try(function() return socket.dft(socket.LWIP_GP) end)
        try(function() return socket.adapter((1 << 32) + 1) end)
        local z = zbuff.create(4)
        try(function() z[1] = 1.5 end)
        try(function() z[1] = nil end)
        try(function() z[1] = z end)
        try(function() z[1] = "7" return z[1] end)
        try(function() z[1.5] = 1.5 return z[1] end)
        try(function() z[(1 << 32) + 2] = 300 return z[2], z:get((1 << 32) + 2) end)
        sys.taskInit(function()
            while not socket.adapter(socket.LWIP_GP) do sys.waitUntil("IP_READY", 1000) end
            try(function() return socket.localIP() end)
            try(function() return socket.localIP((1 << 32) + 17) end)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines ==
          Lines{
              "I/user.e true 1 17",
              "I/user.e true 1 17",
              "I/user.e true 1 17",
              "I/user.e false bad argument #1 to 'dft' (number has no integer representation)",
              "I/user.e true 17 17",
              "I/user.e true 1 17",
              "I/user.e true false 1",
              "I/user.e false bad argument #3 to '__newindex' (number has no integer representation)",
              "I/user.e false bad argument #3 to '__newindex' (number expected, got nil)",
              "I/user.e false bad argument #3 to '__newindex' (number expected, got ZBUFF*)",
              "I/user.e true 7",
              "I/user.e true 7",
              "I/user.e true 44 44",
              "I/user.e true 10.0.2.15 255.255.255.0 10.0.2.2 nil",
              "I/user.e true 127.0.0.1 255.0.0.0 127.0.0.1 nil",
          });
}
