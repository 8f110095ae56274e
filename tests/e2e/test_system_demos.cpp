// The system modules through `luatos`: fskv across a reboot and a second run, pm's deep sleep and
// its deep-sleep timer, the watchdog's reset, mobile.flymode over LWIP_GP; and the official demos of
// hmeta, fskv, fs_io, mcu, rtos, mobile, wdt and the low-power MQTT projects (shared/luatos/demo/
// beside the repository), run unchanged (the low-power projects under a two-line main.lua, as their
// own main.lua picks the TCP one), and json, os, log, helloworld and luatos_framework. Each checks
// the demo's own success lines and that no Lua error happened.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <utility>

#include "tests/e2e/e2e.hpp"
#include "tests/support/luatos_process.hpp"

using namespace tests;

namespace {

Lines user_lines(const Lines& lines) {
    return lines_with(lines, "I/user.");
}

bool contains(const Lines& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("fskv through luatos: a value survives rtos.reboot() and a second run on the same --data-dir") {
    TempDir dir("e2e-fskv");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        fskv.init()
        local n = (fskv.get("boots") or 0) + 1
        fskv.set("boots", n)
        log.info("t", "boot", n, fskv.get("since"))
        if n == 1 then fskv.set("since", "first run") rtos.reboot() end
        os.exit(0)
    )LUA");
    const std::string data = (dir.path() / "data").string();
    const LuatosResult first = run_luatos({"--data-dir", data, main_lua.string()});
    CHECK(first.exit_code == 0);
    CHECK(lines_with(first.lines, "I/user.t") == Lines{"I/user.t boot 1", "I/user.t boot 2 first run"});
    const LuatosResult second = run_luatos({"--data-dir", data, main_lua.string()});
    CHECK(lines_with(second.lines, "I/user.t") == Lines{"I/user.t boot 3 first run"});
    CHECK(lines_containing(second.lines, "auto-format").empty());
}

TEST_CASE(
    "pm through luatos: deep sleep ends the run / the deep-sleep timer wakes it (lastReson 1 / 3 / 0 / 0)") {
    TempDir dir("e2e-pm");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        log.info("t", "boot", pm.lastReson())
        if pm.lastReson() == 1 then
            sys.subscribe("DTIMER_WAKEUP", function(id) log.info("t", "DTIMER_WAKEUP", id) os.exit(0) end)
        else
            pm.dtimerStart(3, 1500)
            pm.request(pm.DEEP)
        end
        sys.run()
    )LUA");
    const LuatosResult r = run_luatos({"--run-for", "30s", main_lua.string()});
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r.lines, "I/user.t") ==
          Lines{"I/user.t boot 0 0 0 0", "I/user.t boot 1 3 0 0", "I/user.t DTIMER_WAKEUP 3"});
    CHECK(lines_with(r.lines, "I/pm poweron") == Lines{"I/pm poweron: Wakup Sleep2 by RTC 3"});
    CHECK(lines_containing(r.lines, "LuatOS@Air780EP").size() == 2);  // two boots
}

TEST_CASE(
    "wdt through luatos: a script that spins without a feed is reset at the timeout (lastReson 0 / 0 / 8)") {
    TempDir dir("e2e-wdt");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        local reason = {pm.lastReson()}
        log.info("t", "boot", table.concat(reason, ","))
        if reason[3] == 8 then os.exit(0) end
        wdt.init(20)
        sys.timerStart(function()
            log.info("t", "spinning")
            while true do end  -- the idle task never runs: the dog is not kicked, and bites meanwhile
        end, 10)
        sys.run()
    )LUA");
    const LuatosResult r = run_luatos({"--run-for", "60s", main_lua.string()}, 90s);
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r.lines, "I/user.t") ==
          Lines{"I/user.t boot 0,0,0,0", "I/user.t spinning", "I/user.t boot 0,0,8,0"});
    CHECK(lines_with(r.lines, "E/wdt watchdog timeout").size() == 1);
}

// A task that never returns to the loop (`while true do end`) is still ended by --run-for and by the
// first SIGTERM or SIGINT (the busy-script guard, sys_task/busy_guard.hpp).
TEST_CASE("a spinning task through luatos: --run-for ends the run, exit 0") {
    TempDir dir("e2e-spin");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        sys.taskInit(function()
            log.info("t", "spinning")
            while true do end
        end)
        sys.timerStart(function() log.info("t", "timer ran") end, 1)
        sys.run()
    )LUA");
    const LuatosResult r = run_luatos({"--run-for", "500ms", main_lua.string()});
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r.lines, "I/user.t") == Lines{"I/user.t spinning"});
}

TEST_CASE("a spinning task or timer callback through luatos: the first SIGTERM / SIGINT ends the run") {
    const auto [sig, where] = GENERATE(std::pair{SIGTERM, "task"}, std::pair{SIGINT, "timer"});
    TempDir dir("e2e-spin-sig");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, std::string("local where = '") + where + R"LUA('
        local function spin() log.info("t", "spinning") while true do end end
        if where == "task" then
            sys.taskInit(function() sys.wait(5) spin() end)
        else
            sys.timerStart(spin, 5)
        end
        sys.run()
    )LUA");
    LuatosProcess device({main_lua.string()});
    REQUIRE(device.wait_for_line("I/user.t spinning", 20s));
    device.signal(sig);
    CHECK(device.wait() == 128 + sig);
    CHECK(lines_containing(device.lines(), "stopped by").size() == 1);
}

TEST_CASE("mobile.flymode through luatos over LWIP_GP: IP_LOSE / then a new attach and IP_READY") {
    TempDir dir("e2e-fly");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        sys.subscribe("IP_LOSE", function(a) log.info("t", "IP_LOSE", a) end)
        sys.taskInit(function()
            local _, ip = sys.waitUntil("IP_READY")
            log.info("t", "IP_READY", ip, mobile.status())
            mobile.flymode(0, true)
            sys.wait(100)
            log.info("t", "in flight mode", mobile.status(), socket.adapter(socket.LWIP_GP))
            mobile.flymode(0, false)
            local ok, ip2 = sys.waitUntil("IP_READY", 5000)
            log.info("t", "IP_READY again", ok, ip2 == ip, mobile.status())
            os.exit(0)
        end)
        sys.run()
    )LUA");
    const LuatosResult r = run_luatos({"--run-for", "30s", main_lua.string()});
    CHECK(r.exit_code == 0);
    const Lines t = lines_with(r.lines, "I/user.t");
    REQUIRE(t.size() == 4);
    CHECK(t[0].starts_with("I/user.t IP_READY 10."));
    CHECK(t[1] == "I/user.t IP_LOSE 1");
    CHECK(t[2] == "I/user.t in flight mode 0 false 1");
    CHECK(t[3] == "I/user.t IP_READY again true true 1");
}

TEST_CASE("demo hmeta (unchanged): the model / hardware version and chip every 3 s") {
    OFFICIAL_DEMO(demo, "hmeta");
    const LuatosResult r = run_luatos({"--run-for", "7s", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    CHECK(user_lines(r.lines) == Lines{"I/user.main luatos_hmeta_app 001.999.000",
                                       "I/user.hmeta Air780EP A11 EC718P", "I/user.hmeta Air780EP A11 EC718P",
                                       "I/user.hmeta Air780EP A11 EC718P"});
}

TEST_CASE("demo fskv (unchanged): every step as in its readme / the store empty again at the end") {
    OFFICIAL_DEMO(demo, "fskv");
    const LuatosResult r = run_luatos({"--run-for", "3s", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = user_lines(r.lines);
    for (const char* want : {"I/user.fskv init complete true", "I/user.获取kv数据库状态 fskv kv 8192 65536 0",
                             "I/user.fskv设置用户数据是字符串 true", "I/user.mytable设置用户数据是table true",
                             "I/user.获取my_str的类型和值 string goodgoodstudy",
                             "I/user.kv迭代器获取下一个key my_bool", "I/user.kv迭代器获取下一个key mytable",
                             "I/user.kv数据库遍历完成", "I/user.fskv my_bool删除结果 true",
                             "I/user.mytable2删除name测试 true", "I/user.清空整个kv数据库 true"}) {
        CHECK(contains(u, want));
    }
    CHECK(lines_containing(u, "mytable2删除结果").size() == 1);
    CHECK(lines_containing(u, "mytable2删除结果")[0].ends_with(R"({"age":18})"));
    CHECK(u.back() == "I/user.获取kv数据库状态 fskv kv 8192 65536 0");
}

TEST_CASE("demo fs_io (unchanged): fsstat / folders / files / lsdir / removal all succeed") {
    OFFICIAL_DEMO(demo, "fs_io");
    const LuatosResult r = run_luatos({"--run-for", "3s", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    CHECK(lines_with(r.lines, "E/user").empty());
    const Lines u = user_lines(r.lines);
    for (
        const char* want :
        {"I/user. io.fsstat成功: 总空间=42块 已用=2块 块大小=4096字节 类型=lfs",
         "I/user.io.mkdir 目录创建成功 路径:/flash_demo",
         "I/user.文件验证 路径:/flash_demo/test_a 内容:ABCdef 结果: 成功",
         R"(I/user.fs lsdir [{"name":"boottime","size":1,"type":0},{"name":"renamed_file.txt","size":6,"type":0},{"name":"testline","size":15,"type":0}])",
         "I/user.io.rmdir 目录删除成功 路径:/flash_demo",
         "I/user.文件系统操作 ===== 文件系统操作完成 ====="}) {
        CHECK(contains(u, want));
    }
}

TEST_CASE("demo mcu / rtos and mobile (unchanged / 8 s): no Lua error / their own lines") {
    OFFICIAL_DEMO(mcu, "mcu");
    OFFICIAL_DEMO(rtos, "rtos");
    OFFICIAL_DEMO(mobile, "mobile");
    const LuatosResult m = run_luatos({"--run-for", "8s", mcu->string()});
    CHECK(vm_errors(m.lines).empty());
    CHECK(contains(user_lines(m.lines), "I/user.mcu 获取每秒的tick数量: 1000"));
    CHECK(lines_containing(m.lines, "I/user.mcu tick64:").size() >= 1);
    const LuatosResult r = run_luatos({"--run-for", "8s", rtos->string()});
    CHECK(vm_errors(r.lines).empty());
    CHECK(contains(user_lines(r.lines), "I/user.完整描述 LuatOS-SoC_V2035_EC718P"));
    CHECK(contains(user_lines(r.lines), "I/user.RTOS测试 所有测试已启动"));
    const LuatosResult b = run_luatos({"--run-for", "8s", mobile->string()});
    CHECK(vm_errors(b.lines).empty());
    const Lines u = user_lines(b.lines);
    for (const char* want : {"I/user.sim status RDY", "I/user.apn cmnet", "I/user.status 1", "I/user.csq 31",
                             "I/user.rsrp -70", "I/user.simid 0"}) {
        CHECK(contains(u, want));
    }
}

TEST_CASE("demo wdt (unchanged / 10 s): the dog fed every 3 s / power-on reasons 0 0 0") {
    OFFICIAL_DEMO(demo, "wdt");
    const LuatosResult r = run_luatos({"--run-for", "10s", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    CHECK(user_lines(r.lines) == Lines{"I/user.main wdt_DEMO 001.999.000",
                                       "I/user.wdt 硬件看门狗已由底层固件启用",
                                       "I/user.reset_reason 重启原因1: 0 原因2: 0 原因3: 0",
                                       "I/user.wdt 喂狗完成", "I/user.wdt 喂狗完成", "I/user.wdt 喂狗完成"});
}

namespace {

// The low-power demo's files with a main.lua that loads project `prj`, against a private broker.
LuatosResult run_lowpower(const std::filesystem::path& demo, const std::string& prj,
                          const Mosquitto& broker) {
    TempDir dir("e2e-lowpower");
    write_file(dir.path() / "main.lua",
               "PROJECT = \"LOWPOWER\"\nVERSION = \"001.999.000\"\nlog.info(\"main\", PROJECT, "
               "VERSION)\nrequire \"" +
                   prj + "\"\nsys.run()\n");
    return run_luatos({"--run-for", "15s", "--host",
                       "lbsmqtt.airm2m.com=127.0.0.1:" + std::to_string(broker.port()),
                       (dir.path() / "main.lua").string(), (demo / "app").string(), (demo / "drv").string(),
                       (demo / "prj").string()});
}

}  // namespace

TEST_CASE("demo lowpower / prj_3_mqtt_short (unchanged): one publish / then PSM+ with the one-hour timer") {
    OFFICIAL_DEMO(demo, "lowpower");
    Mosquitto broker;
    const LuatosResult r = run_lowpower(*demo, "prj_3_mqtt_short", broker);
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = user_lines(r.lines);
    for (const char* want :
         {"I/user.drv_psm 当前使用的模组是： Air780EP", "I/user.mqtt_client_main_task_func connect success",
          "I/user.mqtt_short_task send data rsp true true", "I/user.mqtt_short_task mqtt close rsp true nil",
          "I/user.psm_task enter"}) {
        CHECK(contains(u, want));
    }
    const Lines sleep = lines_with(r.lines, "I/pm sleep");
    REQUIRE(sleep.size() == 1);
    CHECK(sleep[0].starts_with("I/pm sleep Hibn, dtimer 0 wakes up in 3"));
    CHECK(lines_containing(u, "进入PSM+失败").empty());
}

TEST_CASE("demo lowpower / prj_1_mqtt_long (unchanged): light sleep keeps the connection and the publishes") {
    OFFICIAL_DEMO(demo, "lowpower");
    Mosquitto broker;
    const LuatosResult r = run_lowpower(*demo, "prj_1_mqtt_long", broker);
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = user_lines(r.lines);
    CHECK(contains(u, "I/user.lowpower_task enter"));
    CHECK(contains(u, "I/user.mqtt_client_main_task_func connect success"));
    CHECK(contains(u, "I/user.mqtt_long_task send data rsp true"));
    CHECK(lines_with(r.lines, "I/pm sleep").empty());
}

// Issue 11.3/11.6: the base demos (json, os, log, helloworld, luatos_framework) run unchanged with
// no Lua error and LuatOS's values.
TEST_CASE("demo json (unchanged): encodes and decodes as LuatOS's lua-cjson") {
    OFFICIAL_DEMO(demo, "json");
    const LuatosResult r = run_luatos({"--run-for", "1500ms", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = user_lines(r.lines);
    for (const char* want :
         {"I/user.table_string_test1 序列化成功： {\"abc\":123,\"def\":\"123\",\"ttt\":true}",
          "I/user.table_string_test2 序列化失败： Cannot serialise function: type not supported",
          "I/user.table_string_test3 序列化成功： {\"abc\":1234.568}",
          "I/user.string_number_test1 反序列化成功： 123456789",
          "I/user.string_table_test2 反序列化失败： Expected value but found T_OBJ_END at character 8",
          "I/user.json 序列化成功： {\"str\":\"ABC\\r\\nDEF\\r\\n\"}", "I/user.json.null {\"name\":null}"}) {
        CHECK(contains(u, want));
    }
}

TEST_CASE("demo os (unchanged): os.time(table) read as UTC, os.date in +8, files removed and renamed") {
    OFFICIAL_DEMO(demo, "os");
    const LuatosResult r = run_luatos({"--run-for", "1s", demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = user_lines(r.lines);
    for (const char* want :
         {"I/user.os.date 指定时间戳格式化: 2024年12月25日 18:30:00",
          "I/user.os.time 指定时间的时间戳: 1735122600 秒",
          "I/user.os.difftime 时间点A (2024-01-01): 1704067200 秒",
          "I/user.os.difftime 时间差(B-A): 366.000 天", "I/user.os.remove 删除验证通过，文件已不存在",
          "I/user.os.rename 新文件存在验证通过: /os_test_new.txt",
          "I/user.os_core ===== os核心库API演示全部完成 ====="}) {
        CHECK(contains(u, want));
    }
}

TEST_CASE("demos log, helloworld, luatos_framework (unchanged): their lines, no Lua error") {
    {
        OFFICIAL_DEMO(demo, "log");
        const LuatosResult r = run_luatos({"--run-for", "1s", demo->string()});
        CHECK(r.exit_code == 0);
        CHECK(vm_errors(r.lines).empty());
        CHECK(lines_with(r.lines, "I/user.logdemo").size() ==
              3);  // info at level 1 and at INFO, and the values line
        CHECK(lines_with(r.lines, "E/user.logdemo error message").size() == 4);
        CHECK(contains(r.lines, "恢复默认日志输出等级: 1"));
    }
    {
        OFFICIAL_DEMO(demo, "helloworld");
        const LuatosResult r = run_luatos({"--run-for", "1s", demo->string()});
        CHECK(vm_errors(r.lines).empty());
        CHECK(user_lines(r.lines) ==
              Lines{"I/user.main luatos_helloworld_app 001.999.000", "I/user.hello world"});
    }
    {
        OFFICIAL_DEMO(demo, "luatos_framework/hello_luatos");
        const LuatosResult r = run_luatos({"--run-for", "1s", demo->string()});
        CHECK(vm_errors(r.lines).empty());
        CHECK(user_lines(r.lines).front() == "I/user.main luatos_framework_hello_luatos 001.999.000");
        CHECK(contains(r.lines, "I/user.Hello, LuatOS"));
    }
    {
        OFFICIAL_DEMO(demo, "luatos_framework/luatos_task");
        const LuatosResult r = run_luatos({"--run-for", "1s", demo->string()});
        CHECK(vm_errors(r.lines).empty());
        const Lines u = user_lines(r.lines);
        REQUIRE(u.size() >= 4);
        CHECK(Lines(u.begin(), u.begin() + 4) == Lines{"I/user.main luatos_framework_luatos_task 001.999.000",
                                                       "I/user.task1_func 运行中，计数: 1",
                                                       "I/user.task_scheduling after task1 and before task2",
                                                       "I/user.task2_func 运行中，计数: 1"});
    }
}
