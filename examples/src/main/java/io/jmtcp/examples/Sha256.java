package io.jmtcp.examples;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 digests, which every Java platform must provide. */
final class Sha256
{
    private Sha256()
    {
    }

    /**
     * @return a fresh SHA-256 digest.
     */
    static MessageDigest newDigest()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            // The Java SE specification requires SHA-256 of every implementation.
            throw new IllegalStateException(ex);
        }
    }
}
