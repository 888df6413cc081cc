package io.toonstore;

/**
 * A failure reported by the ToonStore engine: the C error {@link #code() code}
 * and the engine's message (which names the path, the file and offset of a
 * corruption, the other holder of a lock, ...).
 *
 * <p>{@link #getMessage()} reads {@code "TOONSTORE_ERR_LOCKED: <engine message>"}.
 */
public class ToonStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The code; transient-safe because enums serialize by name. */
    private final ErrorCode code;
    private final String engineMessage;

    /**
     * An exception with a code and the engine's message.
     *
     * @param code what went wrong
     * @param engineMessage the engine's description of it
     */
    public ToonStoreException(ErrorCode code, String engineMessage) {
        super(code.cName() + ": " + engineMessage);
        this.code = code;
        this.engineMessage = engineMessage;
    }

    /** Called by the JNI layer with the numeric C code. */
    ToonStoreException(int code, String engineMessage) {
        this(ErrorCode.fromValue(code), engineMessage);
    }

    /**
     * What went wrong.
     *
     * @return the code, named as in the C API (without the {@code TOONSTORE_ERR_} prefix)
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * The engine's message, without the code in front.
     *
     * @return the message
     */
    public String engineMessage() {
        return engineMessage;
    }
}
