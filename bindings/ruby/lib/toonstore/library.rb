# frozen_string_literal: true

require 'rbconfig'

class ToonStore
  # Finds and loads libtoonstore. In order:
  #
  # 1. +TOONSTORE_LIB+: the library file, or a directory holding it. When set,
  #    nothing else is tried (a wrong value is an error, not a fallback).
  # 2. The copy bundled in the gem (a platform gem: lib/toonstore/native/).
  # 3. pkg-config: the +libdir+ of the +toonstore+ package.
  # 4. The system's library path (ld.so: LD_LIBRARY_PATH, /etc/ld.so.conf).
  module Library
    DARWIN = RbConfig::CONFIG['host_os'].match?(/darwin/)
    # The file name with the ABI major version, then the development name.
    NAMES = (DARWIN ? %w[libtoonstore.1.dylib libtoonstore.dylib] : %w[libtoonstore.so.1 libtoonstore.so]).freeze
    BUNDLED_DIR = File.expand_path('native', __dir__)

    class << self
      # Where the loaded library came from: [source, path].
      attr_reader :source, :path

      def load!
        return if Native.loaded?

        env = ENV.fetch('TOONSTORE_LIB', '')
        return load_from('TOONSTORE_LIB', in_dir(env) || env) unless env.empty?

        tried = []
        candidates.each do |source, file|
          begin
            return load_from(source, file)
          rescue ::LoadError => e
            tried << "#{source}: #{e.message}"
          end
        end
        raise ::LoadError, "libtoonstore not found. Set TOONSTORE_LIB to the library file " \
                           "(e.g. target/release/libtoonstore.so of a checkout), install a platform gem, " \
                           "or install the library where pkg-config or the dynamic loader finds it. Tried:\n  " +
                           tried.join("\n  ")
      end

      private

      def load_from(source, file)
        Native.load(file)
        @source = source
        @path = file
      end

      def in_dir(dir)
        return nil unless File.directory?(dir)

        NAMES.map { |n| File.join(dir, n) }.find { |f| File.file?(f) } || File.join(dir, NAMES.last)
      end

      def candidates
        list = []
        bundled = in_dir(BUNDLED_DIR)
        list << ['bundled', bundled] if bundled && File.file?(bundled)
        libdir = pkg_config_libdir
        list << ['pkg-config', in_dir(libdir)] if libdir && in_dir(libdir)
        NAMES.each { |n| list << ['system', n] }
        list
      end

      def pkg_config_libdir
        out = IO.popen(%w[pkg-config --variable=libdir toonstore], err: File::NULL, &:read)
        $?.success? && !out.strip.empty? ? out.strip : nil
      rescue SystemCallError
        nil # no pkg-config
      end
    end
  end
end
