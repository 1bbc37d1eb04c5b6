package dev.kickoff.bootstrap;

import dev.kickoff.adapters.aws.StoredItems;
import dev.kickoff.core.run.Run;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The images of a Lambda DynamoDB stream record read by the store adapters: the streams function sees the Lambda
 * events' attribute values only, and this (in the composition root) turns them into the SDK's for {@link StoredItems}.
 */
public final class StreamImages {
    private StreamImages() {
    }

    /** The run a stream image of a run item holds, read as the store reads its items. */
    public static Run run(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        return StoredItems.run(convert(image));
    }

    static Map<String, AttributeValue> convert(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        Map<String, AttributeValue> out = new HashMap<>();
        if (image != null) {
            image.forEach((k, v) -> out.put(k, convert(v)));
        }
        return out;
    }

    static AttributeValue convert(com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue v) {
        if (v == null) {
            return AttributeValue.fromNul(true);
        }
        if (v.getS() != null) {
            return AttributeValue.fromS(v.getS());
        }
        if (v.getN() != null) {
            return AttributeValue.fromN(v.getN());
        }
        if (v.getBOOL() != null) {
            return AttributeValue.fromBool(v.getBOOL());
        }
        if (v.getB() != null) {
            return AttributeValue.fromB(SdkBytes.fromByteBuffer(v.getB()));
        }
        if (v.getSS() != null) {
            return AttributeValue.fromSs(v.getSS());
        }
        if (v.getNS() != null) {
            return AttributeValue.fromNs(v.getNS());
        }
        if (v.getBS() != null) {
            return AttributeValue.fromBs(v.getBS().stream().map(SdkBytes::fromByteBuffer).toList());
        }
        if (v.getL() != null) {
            List<AttributeValue> list = v.getL().stream().map(StreamImages::convert).toList();
            return AttributeValue.fromL(list);
        }
        if (v.getM() != null) {
            return AttributeValue.fromM(convert(v.getM()));
        }
        return AttributeValue.fromNul(true);
    }
}
