# lwIP 2.1.3 (Debian's source package, fetched by setup.sh into third_party/lwip) built as a static
# library with the simulated module's own options (lwip_port/lwipopts.h, lwip_port/arch/cc.h).
# The file list is ours (upstream's Filelists.cmake writes into the source tree): the core, IPv4,
# and the Ethernet layer; not core/timeouts.c, whose timers lwip_port/lwip_timers.cpp replaces.
# lwIP is third-party C: it gets its own warning flags, never -Werror.
set(LWIP_SRC ${LUATOS_LWIP_DIR}/src)
if(NOT EXISTS ${LWIP_SRC}/core/tcp.c)
  message(FATAL_ERROR "lwIP sources not found in ${LUATOS_LWIP_DIR}: run ./setup.sh first")
endif()

add_library(lwip_air780ep STATIC
  ${LWIP_SRC}/core/init.c
  ${LWIP_SRC}/core/def.c
  ${LWIP_SRC}/core/dns.c
  ${LWIP_SRC}/core/inet_chksum.c
  ${LWIP_SRC}/core/ip.c
  ${LWIP_SRC}/core/mem.c
  ${LWIP_SRC}/core/memp.c
  ${LWIP_SRC}/core/netif.c
  ${LWIP_SRC}/core/pbuf.c
  ${LWIP_SRC}/core/raw.c
  ${LWIP_SRC}/core/stats.c
  ${LWIP_SRC}/core/sys.c
  ${LWIP_SRC}/core/tcp.c
  ${LWIP_SRC}/core/tcp_in.c
  ${LWIP_SRC}/core/tcp_out.c
  ${LWIP_SRC}/core/udp.c
  ${LWIP_SRC}/core/ipv4/etharp.c
  ${LWIP_SRC}/core/ipv4/icmp.c
  ${LWIP_SRC}/core/ipv4/ip4.c
  ${LWIP_SRC}/core/ipv4/ip4_addr.c
  ${LWIP_SRC}/core/ipv4/ip4_frag.c
  ${LWIP_SRC}/netif/ethernet.c)
# SYSTEM: lwIP's headers (and the macros they define) are not held to our warning flags.
target_include_directories(lwip_air780ep SYSTEM PUBLIC
  ${CMAKE_CURRENT_SOURCE_DIR}/lwip_port ${LWIP_SRC}/include)
target_compile_options(lwip_air780ep PRIVATE -w)
set_target_properties(lwip_air780ep PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
# Ours, held to our warnings: the checksum lwIP calls (LWIP_CHKSUM / LWIP_CHKSUM_COPY in lwipopts.h).
add_library(lwip_port_checksum STATIC ${CMAKE_CURRENT_SOURCE_DIR}/lwip_port/lwip_checksum.cpp)
target_include_directories(lwip_port_checksum PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/lwip_port)
target_compile_options(lwip_port_checksum PRIVATE ${LUATOS_WARNINGS})
target_link_libraries(lwip_air780ep PUBLIC lwip_port_checksum)
# Ours too: lwIP's timers (LWIP_TIMERS_CUSTOM in lwipopts.h; lwip_port/lwip_timers.hpp). lwIP calls
# into it (sys_now, sys_timeouts_init, tcp_timer_needed) and it calls lwIP's timer handlers.
add_library(lwip_port_timers STATIC ${CMAKE_CURRENT_SOURCE_DIR}/lwip_port/lwip_timers.cpp)
target_include_directories(lwip_port_timers SYSTEM PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/lwip_port ${LWIP_SRC}/include)
target_compile_options(lwip_port_timers PRIVATE ${LUATOS_WARNINGS})
target_link_libraries(lwip_air780ep PUBLIC lwip_port_timers)
target_link_libraries(lwip_port_timers PUBLIC lwip_air780ep)
