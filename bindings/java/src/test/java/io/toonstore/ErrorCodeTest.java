package io.toonstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The enum agrees with the C header, the one source of truth for codes. */
class ErrorCodeTest {
    @Test
    void everyCodeOfTheHeaderHasItsConstant() throws Exception {
        String header = Files.readString(Path.of("../../include/toonstore.h"));
        Matcher m = Pattern.compile("#define TOONSTORE_ERR_(\\w+) (-\\d+)").matcher(header);
        int seen = 0;
        while (m.find()) {
            ErrorCode code = ErrorCode.valueOf(m.group(1));
            int value = Integer.parseInt(m.group(2));
            assertEquals(value, code.value(), code.name());
            assertEquals(code, ErrorCode.fromValue(value));
            assertEquals("TOONSTORE_ERR_" + m.group(1), code.cName());
            seen++;
        }
        assertTrue(seen >= 13, "the header defines the error codes");
    }

    @Test
    void unknownCodes() {
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromValue(-99));
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromValue(0));
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromValue(5));
        assertEquals(ErrorCode.UNKNOWN, ErrorCode.fromValue(Integer.MIN_VALUE));
        ToonStoreException e = new ToonStoreException(-99, "from a newer library");
        assertEquals(ErrorCode.UNKNOWN, e.code());
        assertEquals("TOONSTORE_ERR_UNKNOWN: from a newer library", e.getMessage());
    }
}
