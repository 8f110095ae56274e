# air780ep_basics: the simulated module's identity (unique id, IMEI), its /luadb/ image, its
# network adapter table and the board around it (pins, ADC, PWM, the SMS network and its PDUs,
# Wi-Fi). Plain C++ (no Lua); the Device and the Lua modules build on it.
add_library(air780ep_basics STATIC
  ${CMAKE_CURRENT_LIST_DIR}/identity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/luadb_image.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/adapter_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/board.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pin_mux.cpp
  ${CMAKE_CURRENT_LIST_DIR}/module_clock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sms_pdu.cpp)
target_include_directories(air780ep_basics PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(air780ep_basics PUBLIC sys_core)  # the board logs its outputs
target_compile_options(air780ep_basics PRIVATE ${LUATOS_WARNINGS})
