/**
 * AMF0 and AMF3 codecs (Adobe "AMF 0 Specification" 2007 and "AMF 3 Specification" 2013).
 *
 * <p>Readers turn untrusted bytes into plain Java values and throw nothing but {@link
 * org.rtmpcluster.common.amf.AmfException}: every length is checked against the remaining
 * bytes and against {@link org.rtmpcluster.common.amf.AmfLimits} before anything is allocated.
 * Writers take Java values built by our own code and throw {@link IllegalArgumentException} for
 * a type they cannot encode, since that is a programming error.
 *
 * <p>Decoded values: AMF0 number and AMF3 double are {@link java.lang.Double}, AMF3 integer is
 * {@link java.lang.Integer}, strings are {@link java.lang.String}, anonymous objects are
 * {@link java.util.LinkedHashMap}, dense arrays are {@link java.util.ArrayList}; the remaining
 * types have a record or class of their own in this package.
 */
package org.rtmpcluster.common.amf;
