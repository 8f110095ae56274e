# luatos_slirp: libslirp 4.7.0 for the simulated cellular link, in one of two forms.
#
# * Built here from Debian's source package (fetched by setup.sh into third_party/libslirp, the same
#   version as the libslirp0 package): a static library, so that `luatos` can be linked as one static
#   executable (see LUATOS_STATIC in lua_bindings/). libslirp's internal names (tcp_output, ip_input,
#   if_output...) are also lwIP's, which a shared libslirp hides behind its version script; here its
#   objects are combined into one relocatable object in which only the names of that version script
#   (slirp_*) stay global.
# * Without those sources: Debian's shared libslirp.so, as before (luatos is then dynamic).
set(LUATOS_SLIRP_DIR "${CMAKE_SOURCE_DIR}/third_party/libslirp"
    CACHE PATH "libslirp 4.7.0 sources, fetched from Debian's source package by setup.sh")

pkg_check_modules(GLIB REQUIRED glib-2.0)
add_library(luatos_slirp INTERFACE)

if(EXISTS ${LUATOS_SLIRP_DIR}/src/slirp.c AND EXISTS ${LUATOS_SLIRP_DIR}/src/libslirp.map)
  set(LUATOS_SLIRP_STATIC ON CACHE INTERNAL "libslirp is built from source, as a static library")
  set(slirp_src ${LUATOS_SLIRP_DIR}/src)
  # The same source list as its meson.build (the library, not its ping test).
  set(slirp_sources arp_table.c bootp.c cksum.c dhcpv6.c dnssearch.c if.c ip6_icmp.c ip6_input.c
      ip6_output.c ip_icmp.c ip_input.c ip_output.c mbuf.c misc.c ncsi.c ndp_table.c sbuf.c slirp.c
      socket.c state.c stream.c tcp_input.c tcp_output.c tcp_subr.c tcp_timer.c tftp.c udp.c udp6.c
      util.c version.c vmstate.c)
  list(TRANSFORM slirp_sources PREPEND ${slirp_src}/)

  set(SLIRP_MAJOR_VERSION 4)
  set(SLIRP_MINOR_VERSION 7)
  set(SLIRP_MICRO_VERSION 0)
  set(SLIRP_VERSION_STRING "\"4.7.0\"")
  set(slirp_gen ${CMAKE_CURRENT_BINARY_DIR}/slirp)
  configure_file(${slirp_src}/libslirp-version.h.in ${slirp_gen}/libslirp-version.h @ONLY)

  add_library(slirp_objects OBJECT ${slirp_sources})
  target_include_directories(slirp_objects PRIVATE ${slirp_gen} ${slirp_src})
  target_include_directories(slirp_objects SYSTEM PRIVATE ${GLIB_INCLUDE_DIRS})
  target_compile_definitions(slirp_objects PRIVATE G_LOG_DOMAIN="Slirp")
  # Third-party C: its own flags, never -Werror; one section per function so the link drops the unused.
  target_compile_options(slirp_objects PRIVATE -w -ffunction-sections -fdata-sections)
  set_target_properties(slirp_objects PROPERTIES C_STANDARD 99 C_EXTENSIONS ON)

  # The names libslirp exports: every `slirp_...;` of its version script.
  file(STRINGS ${slirp_src}/libslirp.map slirp_map_lines REGEX "^[ \t]*slirp_[a-z_0-9]+;")
  set(slirp_api "")
  foreach(line IN LISTS slirp_map_lines)
    string(REGEX REPLACE "^[ \t]*(slirp_[a-z_0-9]+);.*$" "\\1" name "${line}")
    string(APPEND slirp_api "${name}\n")
  endforeach()
  file(WRITE ${slirp_gen}/exported_symbols.txt "${slirp_api}")

  set(slirp_combined ${slirp_gen}/libslirp_combined.o)
  add_custom_command(
    OUTPUT ${slirp_combined}
    COMMAND ${CMAKE_LINKER} -r -o ${slirp_combined}.tmp $<TARGET_OBJECTS:slirp_objects>
    COMMAND ${CMAKE_OBJCOPY} --keep-global-symbols=${slirp_gen}/exported_symbols.txt ${slirp_combined}.tmp
            ${slirp_combined}
    COMMAND ${CMAKE_COMMAND} -E remove ${slirp_combined}.tmp
    DEPENDS $<TARGET_OBJECTS:slirp_objects> ${slirp_gen}/exported_symbols.txt
    COMMAND_EXPAND_LISTS
    COMMENT "libslirp: one object, only its API global")
  add_library(slirp_static STATIC ${slirp_combined})
  set_target_properties(slirp_static PROPERTIES LINKER_LANGUAGE C)
  # glib from its static archive when the executable is linked with -static, else its .so.
  target_link_libraries(slirp_static INTERFACE glib-2.0 pcre2-8 Threads::Threads m)
  target_link_libraries(luatos_slirp INTERFACE slirp_static)
  target_include_directories(luatos_slirp SYSTEM INTERFACE ${slirp_src} ${slirp_gen})
else()
  set(LUATOS_SLIRP_STATIC OFF CACHE INTERNAL "libslirp is built from source, as a static library")
  message(STATUS "libslirp sources not in ${LUATOS_SLIRP_DIR} (./setup.sh fetches them): using "
                 "libslirp.so, and luatos is linked dynamically")
  target_link_libraries(luatos_slirp INTERFACE slirp)
  target_include_directories(luatos_slirp SYSTEM INTERFACE /usr/include/slirp)
endif()
