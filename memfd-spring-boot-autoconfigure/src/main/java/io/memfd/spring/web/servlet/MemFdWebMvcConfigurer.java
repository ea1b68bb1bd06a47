package io.memfd.spring.web.servlet;

import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Puts {@link MemFdResourceHttpMessageConverter} and {@link MemFdResourceRegionHttpMessageConverter} ahead of Spring
 * MVC's converters.
 */
public class MemFdWebMvcConfigurer implements WebMvcConfigurer {

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new MemFdResourceHttpMessageConverter());
        builder.addCustomConverter(new MemFdResourceRegionHttpMessageConverter());
    }
}
