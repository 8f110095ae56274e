// Only in the statically linked `luatos` (CMakeLists.txt): Debian's libpcap.a lists its D-Bus capture
// back-end (pcap-dbus.o) among the capture sources of pcap.o, so a static link pulls it in and needs
// libdbus, whose static library in turn needs libsystemd's. We only ever write files through
// pcap_open_dead() (platform_air780ep/pcap_writer.hpp) and never open a capture device, so nothing
// calls these: they are here to satisfy the link, and each fails the way libdbus reports a failure
// (no connection, false, nothing) should anything ever reach it (docs/dependencies.md, "libpcap").
// The parameter types are left opaque: C linkage carries no types.
extern "C" {

void* dbus_bus_get(int, void*) {
    return nullptr;
}
void dbus_bus_add_match(void*, const char*, void*) {}
unsigned dbus_bus_register(void*, void*) {
    return 0;
}
void* dbus_connection_open(const char*, void*) {
    return nullptr;
}
void dbus_connection_flush(void*) {}
void* dbus_connection_pop_message(void*) {
    return nullptr;
}
unsigned dbus_connection_read_write(void*, int) {
    return 0;
}
unsigned dbus_connection_send(void*, void*, void*) {
    return 0;
}
void dbus_connection_set_max_received_size(void*, long) {}
void dbus_connection_unref(void*) {}
void dbus_error_free(void*) {}
unsigned dbus_error_is_set(const void*) {
    return 0;
}
void dbus_free(void*) {}
void* dbus_message_demarshal(const char*, int, void*) {
    return nullptr;
}
unsigned dbus_message_is_signal(void*, const char*, const char*) {
    return 0;
}
unsigned dbus_message_marshal(void*, char**, int*) {
    return 0;
}
void dbus_message_unref(void*) {}
}
