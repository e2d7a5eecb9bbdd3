package dev.warp.sample;

import java.util.UUID;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the sample application.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

	/**
	 * Identifier of this instance, reported by /api/info and in the X-Sample-Filter
	 * header, so that replicas behind the same hostname can be told apart. Defaults to a
	 * random short id.
	 */
	private String instanceId = UUID.randomUUID().toString().substring(0, 8);

	public String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(String instanceId) {
		this.instanceId = instanceId;
	}

}
