// zbuff's frame buffer: pixels of 1..32 bits packed in the bytes (docs/modules/zbuff.md, "Frame buffer").
#pragma once

#include <cstdint>

#include "lua_bindings/modules/zbuff/zbuff.hpp"

namespace lua_bindings {

// The pixel `point` (x + y * width): set to the low bits of `color`, or read. Pixels of 16, 24 and 32
// bits are big endian; 1 and 4 bits fill a byte from its high end. Other depths draw nothing and
// read 0.
void set_pixel(Zbuff& z, std::uint32_t point, std::uint32_t color);
std::uint32_t get_pixel(const Zbuff& z, std::uint32_t point);

// The methods: buff:setFrameBuffer, pixel, drawLine, drawRect, drawCircle.
int zbuff_set_frame_buffer(lua_State* L);
int zbuff_pixel(lua_State* L);
int zbuff_draw_line(lua_State* L);
int zbuff_draw_rect(lua_State* L);
int zbuff_draw_circle(lua_State* L);

}  // namespace lua_bindings
