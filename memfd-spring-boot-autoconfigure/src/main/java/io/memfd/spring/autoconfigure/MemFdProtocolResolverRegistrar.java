package io.memfd.spring.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.function.SingletonSupplier;

import io.memfd.MemFdFactory;
import io.memfd.spring.io.MemFdProtocolResolver;
import io.memfd.spring.io.MemFdUploads;

/**
 * Adds a {@link MemFdProtocolResolver} for the context's {@link MemFdFactory} to the application context. Being a
 * {@link BeanFactoryPostProcessor}, it runs before any ordinary bean is created, so {@code @Value("memfd:NAME")}
 * injections resolve as well as {@code ResourceLoader.getResource} calls. The factory is looked up when a resolved
 * resource is first used, so resolving creates no bean early.
 */
class MemFdProtocolResolverRegistrar implements BeanFactoryPostProcessor, ApplicationContextAware {

    private ConfigurableApplicationContext context;

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = (ConfigurableApplicationContext) applicationContext;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        ObjectProvider<MemFdFactory> factory = beanFactory.getBeanProvider(MemFdFactory.class);
        ObjectProvider<MemFdUploads> uploads = beanFactory.getBeanProvider(MemFdUploads.class);
        this.context.addProtocolResolver(new MemFdProtocolResolver(SingletonSupplier.of(factory::getObject),
                SingletonSupplier.of(uploads::getIfAvailable)));
    }
}
