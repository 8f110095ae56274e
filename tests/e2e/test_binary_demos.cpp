// LuatOS's official zbuff, pack and bit64 demos (shared/luatos/demo/, MIT) run unchanged by the
// `luatos` command: no Lua error, and every line they log as this runtime's LuatOS semantics give it
// (docs/modules/zbuff.md, pack.md, bit64.md say where that differs from the demos' readme logs, which
// older or 32-bit firmware printed). Skipped, with a message, when shared/ is not beside the clone.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/e2e/e2e.hpp"

using namespace tests;

namespace {

// The demo folder, or nullopt (and a warning) when the official scripts are not there.
std::optional<std::string> demo_dir(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(LUATOS_SHARED_DIR) / "demo" / name;
    if (!std::filesystem::is_directory(dir)) {
        WARN("skipped: the official LuatOS demos are not at " << dir.string());
        return std::nullopt;
    }
    return dir.string() + "/";
}

// The lines after the boot banner (the ones that are not I/main or D/main).
Lines script_lines(const Lines& lines) {
    Lines out;
    for (const auto& l : lines) {
        if (l.starts_with("I/main ") || l.starts_with("D/main ")) continue;
        out.push_back(l);
    }
    return out;
}

std::string nul_padded(const std::string& text, std::size_t nuls) {
    return text + std::string(nuls, '\0');
}

}  // namespace

TEST_CASE("the official zbuff demo runs unchanged") {
    const auto dir = demo_dir("zbuff");
    if (!dir) return;
    const LuatosResult r = run_luatos({"--run-for", "500ms", *dir});
    CHECK(r.exit_code == 0);
    CHECK_LINES(script_lines(r.lines),
                {
                    "I/user.main 项目启动 zbuff 003.999.000",
                    "I/user.zbuff_core 启动核心功能演示",
                    "I/user.zbuff_core 缓冲区创建 长度: 1024",
                    "I/user.zbuff_core === 缓冲区创建与初始化演示 ===",
                    "I/user.zbuff_core 索引访问示例 buff[0] = 174",
                    "I/user.zbuff_core === 基础IO操作演示 ===",
                    "I/user.zbuff_core 写入字符串 123",
                    "I/user.zbuff_core 写入数值 0x12, 0x13, 0x13, 0x33",
                    "I/user.zbuff_core 指针当前位置 向后移动5字节 当前位置: 12",
                    "I/user.zbuff_core 指针移动 重置到开头",
                    "I/user.zbuff_core 读取数据 长度3: 123",
                    "I/user.zbuff_core === 缓冲区清除操作 ===",
                    "I/user.zbuff_core 清除操作 全部清零",
                    "I/user.zbuff_core 清除操作 填充0xA5",
                    "I/user.zbuff_core === 元信息查询 ===",
                    "I/user.zbuff_core 元信息 总长度: 1024",
                    "I/user.zbuff_core 元信息 已使用: 3",
                    "I/user.zbuff_core === 高效数据查询 ===",
                    "I/user.zbuff_core query查询 全部数据: 123456789ABC 12",
                    "I/user.zbuff_core query查询 大端序格式: 305419896",
                    "I/user.zbuff_core 核心功能演示完成",
                    "I/user.zbuff_advanced 启动高级功能演示",
                    "I/user.zbuff_advanced === 数据打包与解包演示 ===",
                    "I/user.zbuff_advanced 数据打包 格式: >IIHA 值: 0x1234, 0x4567, 0x12, 'abcdefg'",
                    "I/user.zbuff_advanced 打包后数据 0000123400004567001261626364656667 34",
                    // A10 reads 10 bytes: the 7 packed and 3 zeros
                    nul_padded("I/user.zbuff_advanced 数据解包 数量: 20 值: 4660 17767 18 abcdefg", 3),
                    nul_padded("I/user.zbuff_advanced 解包输出内容 cnt: 20 a(32位): 0x1234 b(32位): 0x4567 "
                               "c(16位): 0x12 s(字符串): abcdefg",
                               3),
                    "I/user.zbuff_advanced === 类型化读写演示 ===",
                    "I/user.zbuff_advanced 类型化写入 I8: 10",
                    "I/user.zbuff_advanced 类型化写入 U32: 1024",
                    "I/user.zbuff_advanced 类型化读取 I8: 10",
                    "I/user.zbuff_advanced 类型化读取 U32: 1024",
                    "I/user.zbuff_advanced === 浮点数操作演示 ===",
                    "I/user.zbuff_advanced 浮点数操作 写入F32: 1.2000000000000",
                    "I/user.zbuff_advanced 浮点数操作 读取F32: 1.2000000476837",
                    "I/user.zbuff_advanced 高级功能演示完成",
                    "I/user.zbuff_memory 启动内存管理功能演示",
                    "I/user.zbuff_memory 大小调整 原始大小: 1024 新大小: 2048",
                    "I/user.zbuff_memory 内存设置 位置10-14设置为0xaa",
                    "I/user.zbuff_memory 验证结果 位置10: 170 应为0xaa",
                    // toStr() is the whole 2048 bytes; del moves the tail down and leaves the old one
                    nul_padded("I/user.zbuff_memory 删除前数据 ABCDEFGH", 2040),
                    nul_padded("I/user.zbuff_memory 删除操作 删除位置2-4 结果: ABFGHFGH", 2040),
                    "I/user.zbuff_memory 内存比较 结果: false 差异位置: 0",
                    "I/user.zbuff_memory Base64编码 长度: 8 结果: QUJGR0g=",
                    "I/user.zbuff_memory 内存管理功能演示完成",
                });
}

TEST_CASE("the official pack demo runs unchanged") {
    const auto dir = demo_dir("pack");
    if (!dir) return;
    const LuatosResult r = run_luatos({"--run-for", "500ms", *dir});
    CHECK(r.exit_code == 0);
    CHECK_LINES(script_lines(r.lines),
                {
                    "I/user.main PACK_DEMO 001.999.000",
                    "I/user.pack_demo 开始运行pack API演示",
                    "I/user.=== pack.pack 和 pack.unpack API 演示开始 ===",
                    "I/user.pack_demo 脚本初始化完成",
                    "I/user.",
                    "--- 实验1：大小端编码 ---",
                    "I/user.小端编码: DDCCBBAA 8",
                    "I/user.大端编码: AABBCCDD 8",
                    "I/user.解包验证 - 小端: 0xAABBCCDD",
                    "I/user.解包验证 - 大端: 0xAABBCCDD",
                    "I/user.",
                    "--- 实验2：多种数据类型打包 ---",
                    "I/user.混合数据打包: 7B0055F80600C3F54840 20",
                    "I/user.解包混合数据: 123 456789 3.1400001049042",
                    "I/user.",
                    "--- 实验3：字符串格式演示 ---",
                    "I/user.'a'格式字符串: 060000004C7561744F53 20",
                    "I/user.'a'格式解包: LuatOS",
                    "I/user.'z'格式字符串: 4C7561744F5300 14",
                    "I/user.'z'格式解包: LuatOS",
                    "I/user.",
                    "--- 实验4：'An'格式演示 ---",
                    "I/user.'A'格式打包: 68657A686F75 12",
                    "I/user.'A'格式结果: hezhou",
                    // since 2026-01 pack.pack's A5 is 5 bytes of one string (the readme shows the older A)
                    "I/user.'A5'格式打包: 6865000000 10",
                    nul_padded("I/user.'A5'格式结果: he", 3),
                    "I/user.",
                    "--- 实验5：指定位置解包 ---",
                    "I/user.多数据打包: 6400C80000002C01 16",
                    "I/user.分步解包结果: 100 200 300",
                    "I/user.",
                    "--- 实验6：复杂数据组合 ---",
                    "I/user.复杂数据打包: 12340000000454657374FFCE 24",
                    "I/user.复杂数据解包: 0x1234 Test -50",
                    "I/user.",
                    "--- 实验7：边界情况 ---",
                    "I/user.空格式打包:  0",
                    "I/user.空格式解包位置: 1",
                    "I/user.短整型边界 - 最大值: FF7F 4",
                    "I/user.短整型边界 - 最小值: 0080 4",
                    "I/user.边界值验证: 32767 -32768",
                    "I/user.=== pack API 演示完成 ===",
                    "I/user.pack_demo 演示运行完毕",
                });
}

TEST_CASE("the official bit64 demo runs unchanged") {
    const auto dir = demo_dir("bit64");
    if (!dir) return;
    // Its last task logs the uptime in seconds from mcu.tick64 once a second.
    const LuatosResult r = run_luatos({"--run-for", "1500ms", *dir});
    CHECK(r.exit_code == 0);
    const Lines lines = script_lines(r.lines);
    REQUIRE(lines.size() >= 36);
    CHECK_LINES(Lines(lines.begin(), lines.begin() + 34),
                {
                    "I/user.main luatos_bit64_app 001.999.000",
                    "I/bit64_app.lua:24 bit64 演示",
                    "I/bit64_app.lua:31 i32 123456 0x1e240",
                    "I/bit64_app.lua:36 i32 12345678 0xbc614e",
                    "I/bit64_app.lua:40 i32 -12345678 0xff439eb2",
                    "I/bit64_app.lua:44 f32 12.342340000000 12.342340000000",
                    "I/bit64_app.lua:48 f32 -12.342340000000 -12.342340000000",
                    "I/bit64_app.lua:58 87654321+12345678= 99999999",
                    "I/bit64_app.lua:59 87654321-12345678= 75308643",
                    "I/bit64_app.lua:60 87654321*12345678= 1082152022374638",
                    "I/bit64_app.lua:61 87654321/12345678= 7",
                    "I/bit64_app.lua:66 87654321+1234567= 88888888",
                    "I/bit64_app.lua:67 87654321-1234567= 86419754",
                    "I/bit64_app.lua:68 87654321*1234567= 108215132114007",
                    "I/bit64_app.lua:69 87654321/1234567= 71",
                    // the readme's values are a 32-bit-float firmware's; these are doubles
                    "I/bit64_app.lua:75 87654.326+12345= 99999.326000000",
                    "I/bit64_app.lua:76 87654.326+12345= 99999.326000",
                    "I/bit64_app.lua:77 87654.326-12345= 75309.326000",
                    "I/bit64_app.lua:78 87654.326*12345= 1.082093e+09",
                    "I/bit64_app.lua:79 87654.326/12345= 7.100391",
                    "I/bit64_app.lua:84 float 87654.32+12345.67= 99999.990000000",
                    "I/bit64_app.lua:85 double 87654.32+12345.67= 99999.990000",
                    "I/bit64_app.lua:86 double to float 87654.32+12345.67= 99999.990000000",
                    "I/bit64_app.lua:87 87654.32-12345.67= 75308.650000",
                    "I/bit64_app.lua:88 87654.32*12345.67= 1.082151e+09",
                    "I/bit64_app.lua:89 87654.32/12345.67= 7.100005",
                    "I/bit64_app.lua:90 double to int64 87654.32/12345.67= 7",
                    "I/bit64_app.lua:96 0xc0000000 << 8 = 0xc000000000",
                    "I/bit64_app.lua:97 0xc000000000+2= 0xc000000002",
                    "I/bit64_app.lua:98 0xc000000000-2= 0xbffffffffe",
                    "I/bit64_app.lua:99 0xc000000000*2= 0x18000000000",
                    "I/bit64_app.lua:100 0xc000000000/2= 0x6000000000",
                    "I/user.data 827E1601D711030000 18",
                    "I/user.data 864040064024194",
                });
    // "work time" is the seconds since boot (the ticks / 26 per us), a second apart
    const std::string work = "I/user.work time 当前时间 ";
    // (between them the attach's `D/mobile TIME_SYNC` line, docs/modules/rtc.md)
    const Lines works = lines_with(Lines(lines.begin() + 34, lines.end()), work);
    REQUIRE(works.size() >= 2);
    const int first = std::stoi(works[0].substr(work.size()));
    const int second = std::stoi(works[1].substr(work.size()));
    CHECK(first >= 0);
    CHECK(second >= first + 1);
}
