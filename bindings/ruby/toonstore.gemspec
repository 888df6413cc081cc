# frozen_string_literal: true

# The toonstore gem: a C extension over libtoonstore's C ABI.
#
#   gem build bindings/ruby/toonstore.gemspec      # from the repository root,
#   gem install --local toonstore-*.gem            # or from bindings/ruby
#
# Building the gem copies the C header (include/toonstore.h, the one source
# of the ABI) into ext/toonstore/ so that the gem compiles anywhere. It also
# bundles a library in lib/toonstore/native/, which makes it a platform gem
# (toonstore-VERSION-x86_64-linux.gem) that needs no libtoonstore on the
# target:
#
#   TOONSTORE_GEM_LIB unset or "auto": target/release/libtoonstore.so of the
#                                      checkout when it was built, else none
#   TOONSTORE_GEM_LIB=path/to/libtoonstore.so: that file
#   TOONSTORE_GEM_LIB=none: no library (a source gem, which finds one at
#                           run time: TOONSTORE_LIB, pkg-config, ld.so)
require 'fileutils'
require 'pathname'

here = Pathname(__dir__).expand_path
# `gem build` reads the files relative to the directory it runs in and
# stores them under those names, so list them as seen from there.
base = here.relative_path_from(Pathname.pwd.expand_path)
if base.each_filename.first == '..'
  raise "run `gem build` from the repository root or from #{here}, not from #{Dir.pwd}"
end

header = here.join('../../include/toonstore.h')
vendored = here.join('ext/toonstore/toonstore.h')
FileUtils.cp(header, vendored) if header.file? && (!vendored.file? || vendored.read != header.read)
# The gem's version is the library version of the header it is built with
# (the extension defines ToonStore::VERSION from the same macro).
version = vendored.read[/^#define TOONSTORE_VERSION_STRING "([^"]+)"/, 1] or
  raise "no TOONSTORE_VERSION_STRING in #{vendored}"

native_dir = here.join('lib/toonstore/native')
bundle = ENV.fetch('TOONSTORE_GEM_LIB', 'auto')
if bundle == 'auto'
  built = here.join('../../target/release/libtoonstore.so')
  bundle = built.file? ? built.to_s : 'none'
end
bundle = nil if ['none', ''].include?(bundle)
FileUtils.rm_rf(native_dir)
if bundle
  raise "TOONSTORE_GEM_LIB=#{bundle}: no such file" unless File.file?(bundle)

  warn "toonstore.gemspec: bundling #{bundle} (a platform gem; TOONSTORE_GEM_LIB=none for a source gem)"

  FileUtils.mkdir_p(native_dir)
  # The loader looks for the SONAME first (library.rb).
  FileUtils.cp(bundle, native_dir.join('libtoonstore.so.1'))
end

Gem::Specification.new do |spec|
  spec.name = 'toonstore'
  spec.version = version
  spec.summary = 'Ruby binding of ToonStore, an embedded row database'
  spec.description = 'ToonStore stores rows of bytes under increasing integer row ids in one ' \
                     'directory. This gem is a C extension over the libtoonstore C ABI.'
  spec.authors = ['ToonStore contributors']
  spec.licenses = %w[MIT Apache-2.0]
  spec.homepage = 'https://github.com/toonstore/toonstore'
  spec.required_ruby_version = '>= 2.7'
  spec.metadata['rubygems_mfa_required'] = 'true'

  files = Dir.glob('{lib/**/*.rb,ext/toonstore/*.{c,h,rb},README.md}', base: here.to_s)
  files += Dir.glob('lib/toonstore/native/*', base: here.to_s) if bundle
  prefix = ->(f) { base.to_s == '.' ? f : File.join(base.to_s, f) }
  spec.files = files.sort.map(&prefix)
  spec.require_paths = [prefix.call('lib')]
  spec.extensions = [prefix.call('ext/toonstore/extconf.rb')]
  spec.platform = Gem::Platform.local if bundle

  spec.add_development_dependency 'minitest', '~> 5.0'
end
