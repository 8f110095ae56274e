// adc on the simulated board (docs/modules/adc.md): LuatOS's luat_lib_adc.c over the EC718 port's
// channels, ranges and dividers; LuatOS's own testcase/unit/driver/adc expectations.
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

namespace {

std::function<void(lua_bindings::Device&)> inputs(int ch0, int ch1, int ch2, int ch3) {
    return [=](lua_bindings::Device& d) {
        d.board().set_adc_input_mv(0, ch0);
        d.board().set_adc_input_mv(1, ch1);
        d.board().set_adc_input_mv(2, ch2);
        d.board().set_adc_input_mv(3, ch3);
    };
}

}  // namespace

TEST_CASE("adc: the functions and constants") {
    auto r = run_script(R"LUA(
        local names = {}
        for k, v in pairs(adc) do names[#names + 1] = k .. "=" .. (type(v) == "number" and v or type(v)) end
        table.sort(names)
        log.info("t", table.concat(names, " "))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t ADC_RANGE_1_2=0 ADC_RANGE_1_8=0 ADC_RANGE_3_6=1 ADC_RANGE_3_8=8 ADC_RANGE_MAX=14 "
                "ADC_RANGE_MIN=0 CH_CPU=-1 CH_VBAT=-2 T1=16 T2=32 close=function get=function open=function "
                "read=function setRange=function"});
}

TEST_CASE("adc: a channel reads only while open, the EC718's channel ids") {
    auto r = run_script(R"LUA(
        log.info("t", adc.get(0), adc.read(0))
        log.info("t", adc.open(0), adc.get(0), adc.read(0))
        adc.close(0)
        log.info("t", adc.get(0), select('#', adc.read(0)))
        log.info("t", adc.open(5), adc.open(9), adc.open(-3), adc.open(100), adc.open(adc.T1), adc.get(5))
        log.info("t", adc.open(4), adc.get(4), adc.open(11), adc.get(adc.CH_VBAT), adc.get(11))
        log.info("t", adc.open(10), adc.get(adc.CH_CPU), adc.read(10))
        log.info("t", select('#', adc.close(99)), select('#', adc.setRange(adc.ADC_RANGE_MAX)))
        os.exit(0)
    )LUA",
                        ScriptOptions{.setup = inputs(1200, 0, 0, 0)});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t -1 255", "I/user.t true 1200 819 1200",
                                             "I/user.t -1 1", "I/user.t false false false false false -1",
                                             "I/user.t true 3800 true 3800 3800",
                                             "I/user.t true 25000 813 25000", "I/user.t 0 0"});
}

TEST_CASE("adc: setRange takes effect at the next open, the dividers and full scales of the EC718") {
    auto r = run_script(R"LUA(
        local function show(tag)
            local t = {}
            for ch = 0, 3 do adc.open(ch) t[#t + 1] = table.concat({adc.read(ch)}, "/") adc.close(ch) end
            log.info("t", tag, table.concat(t, " "))
        end
        show("default")
        adc.setRange(adc.ADC_RANGE_MIN)
        show("min")
        adc.setRange(adc.ADC_RANGE_MAX)
        show("max")
        adc.setRange(adc.ADC_RANGE_3_8)
        show("3_8")
        adc.setRange(adc.ADC_RANGE_3_6)
        show("3_6")
        adc.setRange(3)
        show("1_9")
        adc.setRange(4)   -- LUAT_ADC_AIO_RANGE_2_4: the EC718 port has no divider for it
        log.info("t", adc.open(0), adc.get(0))
        os.exit(0)
    )LUA",
                        ScriptOptions{.setup = inputs(1200, 2000, 3300, 4000)});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t default 819/1200 1365/2000 2252/3300 2457/3600",
                                             "I/user.t min 3276/1200 4095/1500 4095/1500 4095/1500",
                                             "I/user.t max 819/1200 1365/2000 2252/3300 2457/3600",
                                             "I/user.t 3_8 409/1200 682/2000 1126/3300 1228/3600",
                                             "I/user.t 3_6 3276/1200 4095/1500 4095/1500 4095/1500",
                                             "I/user.t 1_9 1638/1200 2730/2000 4095/3000 4095/3000",
                                             "I/user.t false -1"});
}

TEST_CASE("adc: open keeps its range until the next open, 0 mV reads 0") {
    auto r = run_script(R"LUA(
        adc.open(1)
        adc.setRange(adc.ADC_RANGE_MIN)
        log.info("t", adc.get(1), adc.read(2))
        adc.open(1)
        log.info("t", adc.get(1))
        adc.open(2)
        log.info("t", adc.read(2))
        os.exit(0)
    )LUA",
                        ScriptOptions{.setup = inputs(0, 2000, 0, 0)});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 2000 255", "I/user.t 1500", "I/user.t 0 0"});
}

TEST_CASE("adc: CPU temperature and VBAT follow the board, within LuatOS's own testcase ranges") {
    // testcase/unit/driver/adc/scripts/adc_test.lua: the CPU between -40 and 85 C, VBAT between 3300
    // (EC718PM) and 4300 mV, by adc.get and adc.read, once and ten times.
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            assert(adc.open(adc.CH_CPU) == true)
            local t = adc.get(adc.CH_CPU)
            assert(t ~= -1 and t / 1000 >= -40 and t / 1000 <= 85)
            local _, t2 = adc.read(adc.CH_CPU)
            assert(t2 / 1000 >= -40 and t2 / 1000 <= 85)
            for i = 1, 10 do
                local v = adc.get(adc.CH_CPU)
                assert(v ~= -1 and v / 1000 >= -40 and v / 1000 <= 85)
                sys.wait(10)
            end
            adc.close(adc.CH_CPU)
            assert(adc.open(adc.CH_VBAT) == true)
            local v = adc.get(adc.CH_VBAT)
            assert(v >= 3300 and v <= 4300)
            local _, v2 = adc.read(adc.CH_VBAT)
            assert(v2 >= 3300 and v2 <= 4300)
            adc.close(adc.CH_VBAT)
            log.info("t", "testcase passed", t, v)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t testcase passed 25000 3800"});

    auto moved = run_script(R"LUA(
        adc.open(adc.CH_CPU) adc.open(adc.CH_VBAT)
        log.info("t", adc.get(adc.CH_CPU), adc.get(adc.CH_VBAT))
        os.exit(0)
    )LUA",
                            ScriptOptions{.setup = [](lua_bindings::Device& d) {
                                d.board().set_cpu_celsius(-5);
                                d.board().set_vbat_mv(4150);
                            }});
    CHECK(lines_with(moved, "I/user.t") == Lines{"I/user.t -5000 4150"});
}
