# frozen_string_literal: true

# Builds the toonstore C extension. It needs only the C header
# (toonstore.h) at build time: libtoonstore itself is loaded with dlopen
# when `require 'toonstore'` runs (see lib/toonstore/library.rb), so the
# same build works with any libtoonstore 1.x and with TOONSTORE_LIB.
#
# The header is looked up in: $TOONSTORE_INCLUDE, this directory (the copy
# `gem build` puts into the gem), the repository's include/ (building from
# a checkout), then `pkg-config --cflags toonstore` (an installed library).
require 'mkmf'

here = __dir__
candidates = [
  ENV.fetch('TOONSTORE_INCLUDE', nil),
  here,
  File.expand_path('../../../../include', here)
].compact
found = candidates.find { |dir| File.file?(File.join(dir, 'toonstore.h')) }
if found
  $INCFLAGS << " -I#{found}" unless found == here
elsif (cflags = pkg_config('toonstore', 'cflags'))
  $CFLAGS << " #{cflags}"
end
abort <<~MSG unless have_header('toonstore.h')
  toonstore.h not found. Set TOONSTORE_INCLUDE to the directory holding it
  (include/ of a ToonStore checkout), or install libtoonstore with its
  pkg-config file.
MSG

abort 'dlopen is needed to load libtoonstore' unless have_func('dlopen', 'dlfcn.h') || have_library('dl', 'dlopen', 'dlfcn.h')

$CFLAGS << ' -Wall -Wextra -Wno-unused-parameter'
$CFLAGS << ' -Werror' if ENV['TOONSTORE_EXT_WERROR'] == '1'
create_makefile('toonstore/toonstore_ext')
