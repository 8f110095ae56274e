// pwm on the simulated board (docs/modules/pwm.md): LuatOS's luat_lib_pwm.c over the EC718 port's
// driver, its returns, log lines and quirks.
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("pwm: the functions") {
    auto r = run_script(R"LUA(
        local names = {}
        for k, v in pairs(pwm) do names[#names + 1] = k end
        table.sort(names)
        log.info("t", table.concat(names, " "))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t capture close open setDuty setFreq setup start stop"});
}

TEST_CASE("pwm: open and close, with precisions, clamps and the EC718's channels") {
    auto r = run_script(R"LUA(
        log.info("t", pwm.open(4, 1000, 45), pwm.open(4, 1000, 45))   -- the same again: no change
        log.info("t", pwm.open(4, 2000, 45))                          -- running: only the timer changes
        log.info("t", select('#', pwm.close(4)), select('#', pwm.close(3)))
        log.info("t", pwm.open(1, 10000, 31, 0, 256), pwm.open(2, 50, 500, 0, 1000), pwm.open(0, 100, 150))
        log.info("t", pwm.open(3, 1000, 50), pwm.open(5, 1000, 50), pwm.open(-1, 1000, 50))
        log.info("t", pwm.open(0, 13000001, 50))   -- running: the driver only updates its timer
        pwm.close(0)
        log.info("t", pwm.open(0, 13000001, 50), pwm.open(0, 1000, 50, 0, 10), pwm.open(0, 1000, 45.9))
        log.info("t", pwm.open(1, 1000, 50, 20), pwm.capture(4, 1000))
        pwm.close(0) pwm.close(2)
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"D/board pwm4 1000 Hz duty 450/1000",
                                        "I/user.t true true",
                                        "D/board pwm4 2000 Hz duty 450/1000",
                                        "I/user.t true",
                                        "D/board pwm4 off",
                                        "I/user.t 0 0",
                                        "D/board pwm1 10000 Hz duty 121/1000",
                                        "D/board pwm2 50 Hz duty 500/1000",
                                        "D/board pwm0 100 Hz duty 1000/1000",
                                        "I/user.t true true true",
                                        "I/user.t false false false",
                                        "D/board pwm0 13000001 Hz duty 500/1000",
                                        "I/user.t true",
                                        "D/board pwm0 off",
                                        "D/board pwm0 1000 Hz duty 450/1000",
                                        "I/user.t false false true",
                                        "D/board pwm1 1000 Hz duty 500/1000 pulses 20",
                                        "I/user.t true false",
                                        "D/board pwm0 off",
                                        "D/board pwm2 off"});
}

TEST_CASE("pwm: a counted burst stops by itself after its pulses") {
    auto r = run_script(R"LUA(
        pwm.open(4, 100, 50, 5)   -- 5 periods of 10 ms
        sys.timerStart(function() log.info("t", "done") os.exit(0) end, 200)
        sys.run()
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/board pwm4 100 Hz duty 500/1000 pulses 5", "D/board pwm4 off", "I/user.t done"});
}

TEST_CASE("pwm: setup, start, setDuty, setFreq, stop as the Air780EPM demo uses them") {
    auto r = run_script(R"LUA(
        log.info("t", pwm.setup(4, 1000, 50, 0, 100))
        log.info("t", pwm.start(4))
        log.info("t", pwm.setDuty(4, 25))
        log.info("t", pwm.setFreq(4, 2000))
        log.info("t", pwm.stop(4))
        log.info("t", select('#', pwm.start(4)), select('#', pwm.setDuty(4, 10)), select('#', pwm.stop(12)))
        log.info("t", select('#', pwm.setup(6, 1000, 50)), pwm.setup(3, 1000, 50), pwm.start(3))
        log.info("t", pwm.setup(1, 500, 30), pwm.setDuty(1, 40), pwm.setFreq(1, 800), pwm.start(1))
        pwm.stop(1)
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"E/pwm pwm_setup channel 4",
                                        "I/user.t true",
                                        "D/board pwm4 1000 Hz duty 500/1000",
                                        "I/user.t true",
                                        "D/board pwm4 1000 Hz duty 250/1000",
                                        "I/user.t true",
                                        "D/board pwm4 2000 Hz duty 250/1000",
                                        "I/user.t true",
                                        "D/board pwm4 off",
                                        "I/user.t true",
                                        "E/pwm 请先调用pwm.setup!! 4",
                                        "E/pwm 请先调用pwm.setup!! 4",
                                        "I/user.t 0 0 0",
                                        "E/pwm pwm_setup channel 6",
                                        "E/pwm pwm_setup channel 3",
                                        "I/user.t 0 true false",
                                        "E/pwm pwm_setup channel 1",
                                        "D/board pwm1 800 Hz duty 400/1000",
                                        "I/user.t true true true true",
                                        "D/board pwm1 off"});
}

TEST_CASE("pwm: setFreq right after start scales the duty twice: no waveform (the demo's known bug)") {
    auto r = run_script(R"LUA(
        pwm.setup(4, 1000, 50)
        pwm.start(4)
        log.info("t", pwm.setFreq(4, 2000))
        log.info("t", pwm.setDuty(4, 50))
        pwm.stop(4)
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"E/pwm pwm_setup channel 4", "D/board pwm4 1000 Hz duty 500/1000",
                                        "D/board pwm4 2000 Hz duty 5000/1000", "I/user.t true",
                                        "D/board pwm4 2000 Hz duty 500/1000", "I/user.t true",
                                        "D/board pwm4 off"});
}
