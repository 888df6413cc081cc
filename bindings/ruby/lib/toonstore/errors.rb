# frozen_string_literal: true

class ToonStore
  # Every error the engine reports. #code is the C error name
  # ("TOONSTORE_ERR_LOCKED", ...), the same in every language binding;
  # #number is the C code (-5, ...); #message is the engine's message.
  class Error < StandardError
    # The C name of errors of this class (nil for ToonStore::Error itself).
    CODE = nil

    attr_reader :code, :number

    def initialize(message = nil, code: self.class::CODE, number: nil)
      @code = code || 'TOONSTORE_ERR_UNKNOWN'
      @number = number || ERRORS.find { |_, (name, _)| name == @code }&.first
      super(message || @code)
    end

    # The exception for C code `number` with the engine's `message`.
    def self.from_code(number, message)
      name = Native.error_name(number) if Native.respond_to?(:error_name)
      known = ERRORS[number]
      name ||= known ? known[0] : "TOONSTORE_ERR_UNKNOWN(#{number})"
      klass = known ? known[1] : Error
      klass.new(message || Native.strerror(number), code: name, number: number)
    end
  end

  # One class per C error code; the table below maps codes to them.
  class InvalidArgumentError < Error; CODE = 'TOONSTORE_ERR_INVALID_ARG'; end
  class NotFoundError < Error; CODE = 'TOONSTORE_ERR_NOT_FOUND'; end
  class IOError < Error; CODE = 'TOONSTORE_ERR_IO'; end
  class CorruptError < Error; CODE = 'TOONSTORE_ERR_CORRUPT'; end
  class LockedError < Error; CODE = 'TOONSTORE_ERR_LOCKED'; end
  class TooLargeError < Error; CODE = 'TOONSTORE_ERR_TOO_LARGE'; end
  class ReadOnlyError < Error; CODE = 'TOONSTORE_ERR_READ_ONLY'; end
  class VersionError < Error; CODE = 'TOONSTORE_ERR_VERSION'; end
  class OutOfMemoryError < Error; CODE = 'TOONSTORE_ERR_NOMEM'; end
  class InternalError < Error; CODE = 'TOONSTORE_ERR_INTERNAL'; end
  class ClosedError < Error; CODE = 'TOONSTORE_ERR_CLOSED'; end
  class BufferTooSmallError < Error; CODE = 'TOONSTORE_ERR_BUFFER_TOO_SMALL'; end
  class PoisonedError < Error; CODE = 'TOONSTORE_ERR_POISONED'; end
  class ForkedError < Error; CODE = 'TOONSTORE_ERR_FORKED'; end

  # C code => [C name, class]. The values are the C ABI's (include/toonstore.h),
  # fixed for all of 1.x; the names come from toonstore_error_name when the
  # library has it, and this table otherwise.
  ERRORS = {
    -1 => InvalidArgumentError, -2 => NotFoundError, -3 => IOError, -4 => CorruptError,
    -5 => LockedError, -6 => TooLargeError, -7 => ReadOnlyError, -8 => VersionError,
    -9 => OutOfMemoryError, -10 => InternalError, -11 => ClosedError,
    -12 => BufferTooSmallError, -13 => PoisonedError, -14 => ForkedError
  }.transform_values { |klass| [klass::CODE, klass].freeze }.freeze
end
