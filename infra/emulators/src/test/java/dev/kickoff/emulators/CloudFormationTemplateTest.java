package dev.kickoff.emulators;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CloudFormationTemplateTest {
    static final String YAML = """
            Parameters:
              Stage: {Type: String, Default: dev}
            Globals:
              Function:
                Timeout: 7
                Environment:
                  Variables:
                    TABLE: !Ref Table
                    STAGE: !Ref Stage
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties: {BillingMode: PAY_PER_REQUEST}
              Queue:
                Type: AWS::SQS::Queue
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: a.B::handleRequest
                  CodeUri: x.jar
                  Environment:
                    Variables:
                      QUEUE_ARN: !GetAtt Queue.Arn
                      URL: !Sub "https://${Queue.QueueName}.${AWS::Region}/${Stage}"
                  Events:
                    Work:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt Queue.Arn
                        BatchSize: 5
                        FunctionResponseTypes: [ReportBatchItemFailures]
            """;

    @Test
    void readsShortFormIntrinsics() {
        var t = CloudFormationTemplate.parse(YAML);
        assertThat(t.logicalIds("AWS::Serverless::Function")).containsExactly("Fn");
        Map<?, ?> vars = (Map<?, ?>) ((Map<?, ?>) t.properties("Fn").get("Environment")).get("Variables");
        assertThat(vars.get("QUEUE_ARN")).isEqualTo(new Intrinsic.GetAtt("Queue", "Arn"));
        assertThat(vars.get("URL")).isEqualTo(new Intrinsic.Sub("https://${Queue.QueueName}.${AWS::Region}/${Stage}"));
        assertThat(t.parameterDefault("Stage")).isEqualTo("dev");
    }

    @Test
    void resolvesAFunctionAgainstProvisionedResources() {
        var t = CloudFormationTemplate.parse(YAML);
        var r = new StackResources(t, "s1", "eu-west-1", "000000000000");
        r.table("Table", new StackResources.Table("s1-Table", "arn:stream"));
        r.queue("Queue", new StackResources.Queue("s1-Queue", "http://q/s1-Queue", "arn:aws:sqs:eu-west-1:0:s1-Queue"));
        var spec = FunctionSpec.of("Fn", r);
        assertThat(spec.environment()).containsEntry("TABLE", "s1-Table").containsEntry("STAGE", "dev")
                .containsEntry("QUEUE_ARN", "arn:aws:sqs:eu-west-1:0:s1-Queue")
                .containsEntry("URL", "https://s1-Queue.eu-west-1/dev");
        assertThat(spec.timeoutSeconds()).isEqualTo(7);
        assertThat(spec.handlerClass()).isEqualTo("a.B");
        assertThat(spec.events()).containsExactly(new EventSource.Sqs("Work", "Queue", 5, 0, true));
        r.parameter("Stage", "prod");
        assertThat(FunctionSpec.of("Fn", r).environment()).containsEntry("STAGE", "prod");
        assertThat(List.of(spec.codeUri())).containsExactly("x.jar");
    }
}
