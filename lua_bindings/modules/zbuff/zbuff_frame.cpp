// zbuff's frame buffer (luat_lib_zbuff.c: setFrameBuffer, pixel, drawLine, drawRect, drawCircle).
//
// Coordinates and colours go through the C types LuatOS gives them (uint32 pixel positions, int32
// rectangle corners...), so out-of-range arguments wrap as they do on the module; every pixel write
// is checked against the buffer, so a frame that does not match the bytes can never write outside.
#include "zbuff_frame.hpp"

namespace lua_bindings {

namespace {

// The byte offset and count of pixel `point`, for the depths that draw.
struct PixelBytes {
    std::uint64_t offset = 0;
    unsigned count = 0;  // 0: the depth draws nothing
};

PixelBytes pixel_bytes(std::uint8_t bit, std::uint32_t point) {
    switch (bit) {
        case 1:
            return {point / 8, 1};
        case 4:
            return {point / 2, 1};
        case 8:
            return {point, 1};
        case 16:
            return {std::uint64_t{point} * 2, 2};
        case 24:
            return {std::uint64_t{point} * 3, 3};
        case 32:
            return {std::uint64_t{point} * 4, 4};
        default:
            return {};
    }
}

// A C int that wraps as the module's does.
std::int32_t wrap(std::int64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
}

}  // namespace

void set_pixel(Zbuff& z, std::uint32_t point, std::uint32_t color) {
    const std::uint8_t bit = z.frame().bit;
    const PixelBytes at = pixel_bytes(bit, point);
    if (at.count == 0 || at.offset + at.count > z.capacity()) return;
    std::uint8_t* p = z.data().data() + at.offset;
    switch (bit) {
        case 1: {
            const auto mask = static_cast<std::uint8_t>(1u << (7 - point % 8));
            p[0] = static_cast<std::uint8_t>(color % 2 != 0 ? p[0] | mask : p[0] & ~mask);
            break;
        }
        case 4:
            if (point % 2 != 0) {
                p[0] = static_cast<std::uint8_t>((p[0] & 0xf0) | (color & 0x0f));
            } else {
                p[0] = static_cast<std::uint8_t>((p[0] & 0x0f) | ((color & 0x0f) << 4));
            }
            break;
        default:  // 8, 16, 24, 32: big endian, the high bytes past the depth dropped
            for (unsigned i = 0; i < at.count; ++i)
                p[i] = static_cast<std::uint8_t>(color >> (8 * (at.count - 1 - i)));
            break;
    }
}

std::uint32_t get_pixel(const Zbuff& z, std::uint32_t point) {
    const std::uint8_t bit = z.frame().bit;
    const PixelBytes at = pixel_bytes(bit, point);
    if (at.count == 0 || at.offset + at.count > z.capacity()) return 0;
    const std::uint8_t* p = z.data().data() + at.offset;
    switch (bit) {
        case 1:
            return (p[0] >> (7 - point % 8)) % 2;
        case 4:
            return (p[0] >> (point % 2 != 0 ? 0 : 4)) % 0x10;
        default: {
            std::uint32_t v = 0;
            for (unsigned i = 0; i < at.count; ++i)
                v = (v << 8) | p[i];
            return v;
        }
    }
}

// buff:setFrameBuffer(width, height, bit [, color]) -> true | nothing
int zbuff_set_frame_buffer(lua_State* L) {
    Zbuff& z = check_zbuff(L, 1);
    const lua_Integer width = luaL_checkinteger(L, 2);
    const lua_Integer height = luaL_checkinteger(L, 3);
    const lua_Integer bit = luaL_checkinteger(L, 4);
    // The size check multiplies in 64 bits, wrapping as LuatOS's does.
    const std::uint64_t bits = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) *
                               static_cast<std::uint64_t>(bit);
    if (width <= 0 || height <= 0 || bit <= 0 || bits > std::uint64_t{z.capacity()} * 8) {
        z.log(sys_task::kLogWarn, "invalid framebuffer size, setFrameBuffer refused");
        return 0;
    }
    Zbuff::Frame& f = z.frame();
    f.width = static_cast<std::uint32_t>(width);
    f.height = static_cast<std::uint32_t>(height);
    f.bit = static_cast<std::uint8_t>(bit);
    if (lua_isinteger(L, 5)) {
        const auto color = static_cast<std::uint32_t>(luaL_checkinteger(L, 5));
        const std::uint32_t pixels = f.width * f.height;
        for (std::uint32_t i = 0; i < pixels; ++i)
            set_pixel(z, i, color);
    }
    lua_pushboolean(L, 1);
    return 1;
}

// buff:pixel(x, y [, color]) -> true (set) | colour (get) | nothing
int zbuff_pixel(lua_State* L) {
    Zbuff& z = check_zbuff(L, 1);
    const Zbuff::Frame f = z.frame();
    if (f.width == 0) return 0;
    const auto x = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
    const auto y = static_cast<std::uint32_t>(luaL_checkinteger(L, 3));
    if (x >= f.width || y >= f.height) return 0;
    if (lua_isinteger(L, 4)) {
        set_pixel(z, x + y * f.width, static_cast<std::uint32_t>(luaL_checkinteger(L, 4)));
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushinteger(L, get_pixel(z, x + y * f.width));
    return 1;
}

// buff:drawLine(x1, y1, x2, y2 [, color=0]) -> true | nothing: LuatOS's Bresenham walk with a float
// error term, from (x1, y1) up to but not including (x2, y2).
int zbuff_draw_line(lua_State* L) {
    Zbuff& z = check_zbuff(L, 1);
    const Zbuff::Frame f = z.frame();
    if (f.width == 0) return 0;
    const auto x0 = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
    const auto y0 = static_cast<std::uint32_t>(luaL_checkinteger(L, 3));
    const auto x1 = static_cast<std::uint32_t>(luaL_checkinteger(L, 4));
    const auto y1 = static_cast<std::uint32_t>(luaL_checkinteger(L, 5));
    const auto color = static_cast<std::uint32_t>(luaL_optinteger(L, 6, 0));
    std::int32_t x = wrap(x0);
    std::int32_t y = wrap(y0);
    const std::int32_t dx = wrap(std::int64_t{x1} - x0);
    const std::int32_t dy = wrap(std::int64_t{y1} - y0);
    const std::int32_t adx = dx > 0 ? dx : wrap(-std::int64_t{dx});
    const std::int32_t ady = dy > 0 ? dy : wrap(-std::int64_t{dy});
    const bool steep = ady > adx;
    const std::int32_t max = steep ? ady : adx;
    const std::int32_t min = steep ? adx : ady;
    float e = static_cast<float>(wrap(2 * std::int64_t{min} - max));
    for (std::int32_t i = 0; i < max; ++i) {
        if (x >= 0 && y >= 0 && static_cast<std::uint32_t>(x) < f.width &&
            static_cast<std::uint32_t>(y) < f.height)
            set_pixel(z, static_cast<std::uint32_t>(x) + static_cast<std::uint32_t>(y) * f.width, color);
        if (e >= 0) {
            e = e - static_cast<float>(wrap(2 * std::int64_t{max}));
            if (steep) {
                x = wrap(std::int64_t{x} + (dx >= 0 ? 1 : -1));
            } else {
                y = wrap(std::int64_t{y} + (dy >= 0 ? 1 : -1));
            }
        }
        e += static_cast<float>(wrap(2 * std::int64_t{min}));
        if (steep) {
            y = wrap(std::int64_t{y} + (dy >= 0 ? 1 : -1));
        } else {
            x = wrap(std::int64_t{x} + (dx >= 0 ? 1 : -1));
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

// buff:drawRect(x1, y1, x2, y2 [, color=0 [, fill]]) -> true | nothing; corners are clamped into the frame.
int zbuff_draw_rect(lua_State* L) {
    Zbuff& z = check_zbuff(L, 1);
    const Zbuff::Frame f = z.frame();
    if (f.width == 0) return 0;
    auto corner = [L](int arg, std::uint32_t limit) {
        std::int32_t v = wrap(luaL_checkinteger(L, arg));
        if (v < 0) v = 0;
        if (static_cast<std::uint32_t>(v) >= limit) v = wrap(std::int64_t{limit} - 1);
        return v;
    };
    const std::int32_t x1 = corner(2, f.width);
    const std::int32_t y1 = corner(3, f.height);
    const std::int32_t x2 = corner(4, f.width);
    const std::int32_t y2 = corner(5, f.height);
    const auto color = static_cast<std::uint32_t>(wrap(luaL_optinteger(L, 6, 0)));
    const bool fill = lua_toboolean(L, 7) != 0;
    const std::int32_t xmax = x1 > x2 ? x1 : x2;
    const std::int32_t xmin = x1 > x2 ? x2 : x1;
    const std::int32_t ymax = y1 > y2 ? y1 : y2;
    const std::int32_t ymin = y1 > y2 ? y2 : y1;
    auto plot = [&](std::int32_t x, std::int32_t y) {
        set_pixel(z, static_cast<std::uint32_t>(x) + static_cast<std::uint32_t>(y) * f.width, color);
    };
    if (fill) {
        for (std::int32_t x = xmin; x <= xmax; ++x)
            for (std::int32_t y = ymin; y <= ymax; ++y)
                plot(x, y);
    } else {
        for (std::int32_t x = xmin; x <= xmax; ++x) {
            plot(x, ymin);
            plot(x, ymax);
        }
        for (std::int32_t y = ymin; y <= ymax; ++y) {
            plot(xmin, y);
            plot(xmax, y);
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

namespace {

// The eight points symmetric to (x, y) around the centre, those inside the frame.
void plot_octants(Zbuff& z, const Zbuff::Frame& f, std::int32_t xc, std::int32_t yc, std::int32_t x,
                  std::int32_t y, std::uint32_t color) {
    const std::int64_t points[8][2] = {
        {std::int64_t{xc} + x, std::int64_t{yc} + y}, {std::int64_t{xc} - x, std::int64_t{yc} + y},
        {std::int64_t{xc} + x, std::int64_t{yc} - y}, {std::int64_t{xc} - x, std::int64_t{yc} - y},
        {std::int64_t{xc} + y, std::int64_t{yc} + x}, {std::int64_t{xc} - y, std::int64_t{yc} + x},
        {std::int64_t{xc} + y, std::int64_t{yc} - x}, {std::int64_t{xc} - y, std::int64_t{yc} - x},
    };
    for (const auto& p : points) {
        if (p[0] >= 0 && p[1] >= 0 && p[0] < f.width && p[1] < f.height)
            set_pixel(z, static_cast<std::uint32_t>(p[0]) + static_cast<std::uint32_t>(p[1]) * f.width,
                      color);
    }
}

}  // namespace

// buff:drawCircle(x, y, r [, color=0 [, fill]]) -> true | nothing (also nothing for a circle LuatOS
// deems invisible, which includes one that crosses the left or top edge: its check compares a
// negative x - r or y - r as unsigned).
int zbuff_draw_circle(lua_State* L) {
    Zbuff& z = check_zbuff(L, 1);
    const Zbuff::Frame f = z.frame();
    if (f.width == 0) return 0;
    const std::int32_t xc = wrap(luaL_checkinteger(L, 2));
    const std::int32_t yc = wrap(luaL_checkinteger(L, 3));
    const std::int32_t r = wrap(luaL_checkinteger(L, 4));
    const auto color = static_cast<std::uint32_t>(wrap(luaL_optinteger(L, 5, 0)));
    const bool fill = lua_toboolean(L, 6) != 0;
    if (wrap(std::int64_t{xc} + r) < 0 || static_cast<std::uint32_t>(wrap(std::int64_t{xc} - r)) >= f.width ||
        wrap(std::int64_t{yc} + r) < 0 || static_cast<std::uint32_t>(wrap(std::int64_t{yc} - r)) >= f.height)
        return 0;
    std::int32_t x = 0;
    std::int32_t y = r;
    std::int32_t d = wrap(3 - 2 * std::int64_t{r});
    while (x <= y) {
        if (fill) {
            for (std::int32_t yi = x; yi <= y; ++yi)
                plot_octants(z, f, xc, yc, x, yi, color);
        } else {
            plot_octants(z, f, xc, yc, x, y, color);
        }
        if (d < 0) {
            d = wrap(std::int64_t{d} + 4 * std::int64_t{x} + 6);
        } else {
            d = wrap(std::int64_t{d} + 4 * (std::int64_t{x} - y) + 10);
            --y;
        }
        ++x;
    }
    lua_pushboolean(L, 1);
    return 1;
}

}  // namespace lua_bindings
