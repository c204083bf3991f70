# SPDX-License-Identifier: Apache-2.0
# Install directories: asked from systemd.pc / udev.pc, overridable as cache variables.
pkg_get_variable(_systemd_unitdir systemd systemdsystemunitdir)
pkg_get_variable(_systemd_generatordir systemd systemdsystemgeneratordir)
pkg_get_variable(_systemd_networkdir systemd systemdnetworkdir)
pkg_get_variable(_systemd_sysctldir systemd sysctldir)
pkg_get_variable(_systemd_tmpfilesdir systemd tmpfilesdir)
pkg_get_variable(_udevdir udev udevdir)

# systemd.pc answers with /lib on Debian; the package installs under the prefix.
foreach(_v _systemd_unitdir _systemd_generatordir _systemd_networkdir _systemd_sysctldir
        _systemd_tmpfilesdir _udevdir)
  string(REGEX REPLACE "^/lib/" "/usr/lib/" ${_v} "${${_v}}")
endforeach()

if(NOT _systemd_unitdir)
  set(_systemd_unitdir /usr/lib/systemd/system)
endif()
if(NOT _systemd_generatordir)
  set(_systemd_generatordir /usr/lib/systemd/system-generators)
endif()
if(NOT _systemd_networkdir)
  set(_systemd_networkdir /usr/lib/systemd/network)
endif()
if(NOT _systemd_sysctldir)
  set(_systemd_sysctldir /usr/lib/sysctl.d)
endif()
if(NOT _systemd_tmpfilesdir)
  set(_systemd_tmpfilesdir /usr/lib/tmpfiles.d)
endif()
if(NOT _udevdir)
  set(_udevdir /usr/lib/udev)
endif()

set(SYSTEMD_UNIT_DIR "${_systemd_unitdir}" CACHE PATH "systemd system unit directory")
set(SYSTEMD_GENERATOR_DIR "${_systemd_generatordir}" CACHE PATH "systemd system generator directory")
set(SYSTEMD_NETWORK_DIR "${_systemd_networkdir}" CACHE PATH "systemd-networkd vendor directory")
set(SYSCTL_DIR "${_systemd_sysctldir}" CACHE PATH "sysctl.d vendor directory")
set(TMPFILES_DIR "${_systemd_tmpfilesdir}" CACHE PATH "tmpfiles.d vendor directory")
set(UDEV_RULES_DIR "${_udevdir}/rules.d" CACHE PATH "udev rules directory")
set(EC2NET_LIBEXEC_DIR "${CMAKE_INSTALL_FULL_LIBEXECDIR}/amazon-ec2-net-utils" CACHE PATH
    "Directory of the helper executables")
set(EC2NET_RUNTIME_DIR "/run/amazon-ec2-net-utils" CACHE PATH "Runtime state directory")
set(EC2NET_STATE_DIR "/var/lib/amazon-ec2-net-utils" CACHE PATH "Persistent state directory (StateDirectory=)")
set(EC2NET_NETWORK_RUNTIME_DIR "/run/systemd/network" CACHE PATH
    "Where the generated networkd configuration goes")
set(EC2NET_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/amazon-ec2-net-utils.conf" CACHE FILEPATH
    "Main configuration file")
