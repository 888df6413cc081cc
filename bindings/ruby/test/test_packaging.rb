# frozen_string_literal: true

require_relative 'test_helper'

# The installed gem and the order in which it looks for libtoonstore:
# TOONSTORE_LIB, the copy bundled in a platform gem, pkg-config, the
# system's library path. Each case runs in a child process with its own
# environment.
class TestPackaging < Minitest::Test
  include ToonStoreTest

  ROOT = ENV.fetch('TOONSTORE_TEST_ROOT', File.expand_path('../../..', __dir__))
  GEMS = ENV.fetch('TOONSTORE_TEST_GEMS', File.expand_path('../.gems', __dir__))
  LIB = ENV.fetch('TOONSTORE_LIB')
  PROBE = <<~RUBY
    require 'toonstore'
    ToonStore.open(ARGV[0]) { |db| db.put('probe') }
    puts [ToonStore::Library.source, ToonStore::Library.path, $LOADED_FEATURES.grep(/toonstore_ext/).first].join(' ')
  RUBY

  def probe(env)
    base = { 'TOONSTORE_LIB' => nil, 'PKG_CONFIG_PATH' => nil, 'LD_LIBRARY_PATH' => nil,
             'GEM_HOME' => "#{GEMS}/source", 'GEM_PATH' => nil }
    out, err, status = ruby_child(PROBE, @dir, env: base.merge(env))
    [out.split, err, status]
  end

  def test_the_gem_version_is_the_library_version
    cargo = File.read(File.join(ROOT, 'Cargo.toml'))[/^version = "([^"]+)"/, 1]
    assert_equal cargo, ToonStore::VERSION
  end

  def test_the_tests_use_the_installed_gem
    ext = $LOADED_FEATURES.grep(/toonstore_ext/).first
    assert ext.start_with?(GEMS), "#{ext} is not from the installed gem"
  end

  def test_toonstore_lib_comes_first
    (source, path, ext), err, status = probe('TOONSTORE_LIB' => LIB)
    assert status.success?, err
    assert_equal ['TOONSTORE_LIB', LIB], [source, path]
    assert ext.start_with?("#{GEMS}/source")
    (source, path), err, status = probe('TOONSTORE_LIB' => File.dirname(LIB))
    assert status.success?, err
    assert_equal 'TOONSTORE_LIB', source
    assert_equal File.dirname(LIB), File.dirname(path), 'a directory works too'
  end

  def test_a_wrong_toonstore_lib_is_an_error_not_a_fallback
    _, err, status = probe('TOONSTORE_LIB' => '/nonexistent/libtoonstore.so', 'LD_LIBRARY_PATH' => File.dirname(LIB))
    refute status.success?
    assert_match(%r{cannot load libtoonstore from /nonexistent/libtoonstore.so}, err)
  end

  def test_the_platform_gem_uses_its_bundled_library
    home = "#{GEMS}/platform"
    skip_reason = "#{home} missing: run build_and_test.sh" unless File.directory?(home)
    flunk skip_reason if skip_reason
    (source, path, ext), err, status = probe('GEM_HOME' => home)
    assert status.success?, err
    assert_equal 'bundled', source
    assert path.start_with?(home), path
    assert ext.start_with?(home), ext
    # TOONSTORE_LIB still wins over the bundled copy.
    (source,), err, status = probe('GEM_HOME' => home, 'TOONSTORE_LIB' => LIB)
    assert status.success?, err
    assert_equal 'TOONSTORE_LIB', source
  end

  def test_pkg_config_is_next
    pc = File.join(@tmp, 'pc')
    FileUtils.mkdir_p(pc)
    File.write(File.join(pc, 'toonstore.pc'), <<~PC)
      libdir=#{File.dirname(LIB)}
      includedir=#{ROOT}/include
      Name: toonstore
      Description: test
      Version: #{ToonStore::VERSION}
      Libs: -L${libdir} -ltoonstore
      Cflags: -I${includedir}
    PC
    (source, path), err, status = probe('PKG_CONFIG_PATH' => pc)
    assert status.success?, err
    assert_equal 'pkg-config', source
    assert_equal File.dirname(LIB), File.dirname(path)
  end

  def test_then_the_system_library_path
    (source, path), err, status = probe('LD_LIBRARY_PATH' => File.dirname(LIB))
    assert status.success?, err
    assert_equal 'system', source
    assert_match(/\Alibtoonstore\.so/, path)
  end

  def test_no_library_anywhere_is_a_clear_load_error
    (source,), err, status = probe({})
    if status.success?
      # A libtoonstore installed system-wide was found: legitimately.
      assert_includes %w[pkg-config system], source
      return
    end
    assert_match(/libtoonstore not found\. Set TOONSTORE_LIB/, err)
    assert_match(/system: cannot load libtoonstore from libtoonstore\.so\.1/, err)
  end
end
